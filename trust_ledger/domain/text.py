"""Text a participant wrote on chain, as the mirror records and shows it (one home for the rule).

The ABI does not check that a ``string`` is UTF-8, and a participant may write any bytes. The
mirror keeps every value faithfully and never halts on one:

- plain text (valid UTF-8 with no control character, no bidirectional control and no U+FFFD) is
  recorded as the string itself;
- anything else is recorded in its *opaque form*: what it shows (each undecodable sequence and
  each control character replaced by U+FFFD) followed by `` [0x<its bytes in hex>]``, e.g. the
  bytes ``svc-\\xff\\xfe`` become ``"svc-\ufffd\ufffd [0x7376632dfffe]"``.

U+FFFD marks the opaque form (plain text never holds one), the bytes can be read back exactly
(``raw_bytes``), and two different byte strings never share a form, so identities the contracts
key by ``keccak256(bytes)`` (service ids, key ids, credential types, DIDs) stay distinct here.
"""

from __future__ import annotations

import re
from urllib.parse import quote

REPLACEMENT = "\ufffd"
_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_CONTROLS}{REPLACEMENT}]")
_OPAQUE_SUFFIX = re.compile(r" \[0x([0-9a-f]*)\]\Z")


def text_of(raw: bytes) -> str:
    """The recorded form of a ``string`` field's bytes: the text when plain, else its opaque form."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and not _UNSAFE.search(text):
        return text
    shown = _UNSAFE.sub(REPLACEMENT, raw.decode("utf-8", errors="replace"))
    return f"{shown} [0x{raw.hex()}]"


def is_opaque(text: str) -> bool:
    """Whether `text` is the opaque form of bytes that are not plain text."""
    return REPLACEMENT in text and _OPAQUE_SUFFIX.search(text) is not None


def raw_bytes(text: str) -> bytes:
    """The bytes a participant wrote, read back from their recorded form."""
    if is_opaque(text):
        match = _OPAQUE_SUFFIX.search(text)
        assert match is not None
        return bytes.fromhex(match.group(1))
    return text.encode("utf-8")


def uri_fragment(text: str) -> str:
    """`text` as a URI fragment: plain text as is, an opaque value's bytes percent-encoded."""
    if not is_opaque(text):
        return text
    return quote(raw_bytes(text), safe="!$&'()*+,;=:@/?-._~")
