"""Telegram's parse_mode=HTML, as strict as the Bot API (tdlib) is.

Error texts follow tdlib's wording; the Bot API prefixes them with
"Bad Request: can't parse entities: ".
"""
import html
import re

# Tag -> MessageEntity type; anything else is "Unsupported start tag".
TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline", "s": "strikethrough",
    "strike": "strikethrough", "del": "strikethrough", "span": "spoiler",
    "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_NAME = re.compile(r"[^\s>]*")
_ATTR = re.compile(r"""\s*([a-zA-Z][\w-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


class HtmlError(ValueError):
    """Text that the real Bot API would refuse with 400."""


def utf16_len(s):
    # Entity offsets/lengths are counted in UTF-16 code units.
    return len(s.encode("utf-16-le")) // 2


def _byte(src, i):
    return len(src[:i].encode("utf-8"))


def _attrs(src, start, raw, tag):
    out, pos = {}, 0
    while raw[pos:].strip():
        m = _ATTR.match(raw, pos)
        if not m or m.end() == pos:
            raise HtmlError('Expected equal sign in declaration of an attribute '
                            'of the tag "%s" at byte offset %d' % (tag, _byte(src, start)))
        value = next((g for g in m.groups()[1:] if g is not None), "")
        out[m.group(1).lower()] = html.unescape(value)
        pos = m.end()
    return out


def parse_html(src):
    """Return (plain_text, entities) or raise HtmlError like Telegram does."""
    text, entities, stack, i = [], [], [], 0
    while i < len(src):
        c = src[i]
        if c == "&":
            m = _ENTITY.match(src, i)
            # tdlib keeps an unknown "&" literally, but the Bot API docs demand
            # escaping; failing here catches unescaped user input early.
            if not m:
                raise HtmlError('Unescaped "&" at byte offset %d' % _byte(src, i))
            text.append(html.unescape(m.group(0)))
            i = m.end()
            continue
        if c != "<":
            text.append(c)
            i += 1
            continue
        # Like tdlib: the tag name runs to a space or ">", then attributes.
        name_end = _NAME.match(src, i + 1).end()
        closing = src.startswith("/", i + 1)
        end = src.find(">", name_end)
        if name_end == len(src) or (closing and end == -1):
            raise HtmlError("Unclosed %s tag at byte offset %d"
                            % ("end" if closing else "start", _byte(src, i)))
        if closing:
            name = src[i + 2:name_end].lower()
            if not stack:
                raise HtmlError("Unexpected end tag at byte offset %d" % _byte(src, i))
            top = stack[-1]
            if name and name != top["tag"]:
                raise HtmlError('Unmatched end tag at byte offset %d, expected "</%s>", '
                                'found "</%s>"' % (_byte(src, i), top["tag"], name))
            stack.pop()
            _close(top, utf16_len("".join(text)), stack, entities)
        else:
            name = src[i + 1:name_end].lower()
            if name not in TAGS:
                raise HtmlError('Unsupported start tag "%s" at byte offset %d'
                                % (name, _byte(src, i)))
            if end == -1:
                raise HtmlError("Unclosed start tag at byte offset %d" % _byte(src, i))
            attrs = _attrs(src, i, src[name_end:end], name)
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise HtmlError('Tag "span" must have class "tg-spoiler"')
            if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
                raise HtmlError('Custom emoji entity must contain a valid "emoji-id"')
            stack.append({"tag": name, "attrs": attrs, "offset": utf16_len("".join(text))})
        i = end + 1
    if stack:
        raise HtmlError('Can\'t find end tag corresponding to start tag "%s"' % stack[-1]["tag"])
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(text), entities


def _close(opened, end, stack, entities):
    tag, attrs = opened["tag"], opened["attrs"]
    length = end - opened["offset"]
    language = attrs.get("class", "")
    if tag == "code" and stack and stack[-1]["tag"] == "pre" and language.startswith("language-"):
        # <pre><code class="language-x"> is one pre entity with a language.
        stack[-1]["attrs"]["language"] = language[len("language-"):]
        return
    if length <= 0:
        return  # Telegram drops empty entities
    entity = {"offset": opened["offset"], "length": length, "type": TAGS[tag]}
    if tag == "a":
        if not attrs.get("href"):
            return  # tdlib ignores <a> without href
        entity["url"] = attrs["href"]
    if tag == "pre" and attrs.get("language"):
        entity["language"] = attrs["language"]
    if tag == "tg-emoji":
        entity["custom_emoji_id"] = attrs["emoji-id"]
    if tag == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    entities.append(entity)
