"""Make untrusted text (model output, conversation titles) inert before it is displayed.

A model or an imported file can hide characters that change how text *looks* without
being seen: bidi overrides and isolates reorder what follows them ("\\u202eevil.exe"
shows as "exe.live"), zero-width and tag characters hide text, control characters
garble a label.  ``inert_text`` replaces each such character by a visible marker
(``<U+202E>``), so what is shown is what is there.  It keeps what real text needs:
tabs and newlines, zero-width joiners and non-joiners (emoji sequences, Persian and
Indic scripts), soft hyphens, variation selectors of emoji, and the tag characters of a
subdivision flag such as England's.

Every place that shows model text or titles calls this one function; copying a message
still copies what the model wrote.
"""

from __future__ import annotations

import re

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_INVISIBLE = ("\u180e\u200b\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb"
              "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0100-\U000e01ef")
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_TAGS = "\U000e0000-\U000e007f"
_FLAG = "\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"  # a black flag and its tag letters: 🏴 England etc.
_SUSPECT = re.compile(f"{_FLAG}|\r\n|[{_BIDI}{_INVISIBLE}{_CONTROL}{_TAGS}]")


def _marker(match: re.Match[str]) -> str:
    found = match.group()
    if len(found) > 1:
        return "\n" if found == "\r\n" else found  # a Windows line end, or a valid flag sequence
    code = ord(found)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def inert_text(text: str) -> str:
    """``text`` with every invisible formatting or control character shown as a visible marker."""
    if text.isascii() and text.isprintable():
        return text  # the common case, without a regex pass
    return _SUSPECT.sub(_marker, text)
