"""Uploaded files of FakeTelegram: the metadata Telegram answers with; photos must decode."""
import io
import mimetypes
import uuid

from .tg_rules import bad


def _file_id(prefix):
    return prefix + uuid.uuid4().hex


def new_media(store, kind, name, data):
    """The Document (or PhotoSize list) for uploaded bytes, kept in `store` by file_id."""
    if kind == "document":
        meta = {"file_id": _file_id("BQACAgIAAxkBAAI"), "file_unique_id": _file_id("AgAD"),
                "file_name": name or "document",
                "mime_type": mimetypes.guess_type(name or "")[0] or "application/octet-stream",
                "file_size": len(data)}
        store[meta["file_id"]] = (kind, meta, data)
        return meta
    try:  # Telegram decodes photos; garbage bytes are refused
        from PIL import Image
        width, height = Image.open(io.BytesIO(data)).size
    except Exception:
        raise bad("IMAGE_PROCESS_FAILED")
    sizes = []
    for scale in sorted({min(1.0, 90 / max(width, height)), min(1.0, 1280 / max(width, height))}):
        size = {"file_id": _file_id("AgACAgIAAxkBAAI"), "file_unique_id": _file_id("AQAD"),
                "file_size": len(data), "width": max(1, round(width * scale)),
                "height": max(1, round(height * scale))}
        sizes.append(size)
    for size in sizes:
        store[size["file_id"]] = (kind, sizes, data)
    return sizes
