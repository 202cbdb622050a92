"""Reading the fields of a mini app request body: the right type or a 400 naming the field.

Only the shape is checked here (type, length, range); what a value means is the use case's rule.
"""
from lib.miniapp.errors import bad_field

# Orders, keys and servers have INTEGER (32-bit) primary keys: a bigger id would be an error in
# PostgreSQL, not a "not found".
MAX_ID = 2**31 - 1


def body_object(body) -> dict:
    """The body as a JSON object; a POST with no body counts as {}."""
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise bad_field("api_not_object", "body")
    return body


def text_field(body: dict, name: str, max_len: int, *, required: bool = True) -> str | None:
    """A string of at most max_len characters that PostgreSQL can store (no NUL, no lone surrogate)."""
    value = body.get(name)
    if value is None:
        if required:
            raise bad_field("api_required", name)
        return None
    if not isinstance(value, str) or not storable(value):
        raise bad_field("api_not_text", name)
    if len(value) > max_len:
        raise bad_field("api_too_long", name, max=max_len)
    return value


def id_field(body: dict, name: str) -> int | None:
    """An optional id of the customer's thing: a positive integer or its decimal digits ("5" or 5)."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        value = int(value)
    if type(value) is not int or not 0 < value <= MAX_ID:  # bool is an int subclass: refused
        raise bad_field("api_not_id", name)
    return value


def path_id(text: str) -> int | None:
    """A path's id as an int, or None when no row can have it (the route answers 404)."""
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def storable(text: str) -> bool:
    """Text PostgreSQL keeps: no NUL byte, no lone surrogate (JSON's "\\ud800" is not UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text
