"""The search form of a text (what the index holds and what a query is compared with) and its bigrams."""

from __future__ import annotations

import re
import unicodedata

GRAM_BASE = 0x110000  # one past the largest code point: two code points pack into one integer

_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """The search form of a text: NFKC (full-width → half-width), case-folded, without whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def fold_code(text: str) -> str:
    """A 统一社会信用代码 as stored: NFKC, upper case, without whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).upper()


def name_key(public_name: str) -> str:
    """What the index holds for a public name: the folded text the portal shows (masked when published)."""
    return fold(public_name)


def gram_codes(key: str) -> set[int]:
    """The distinct bigrams of a folded text, packed as integers."""
    return {ord(key[i]) * GRAM_BASE + ord(key[i + 1]) for i in range(len(key) - 1)}


def gram_text(code: int) -> str:
    """The two characters of a packed bigram (for people reading the table)."""
    return chr(code // GRAM_BASE) + chr(code % GRAM_BASE)


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

