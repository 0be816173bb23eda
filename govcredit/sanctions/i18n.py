"""The measures catalogue in English: names kept beside the catalogue in ``data/measures.en.json``.

Measure and rule names are Chinese and stored (the credit office may publish new ones); the English
names of the default measures and rules live in a sibling file, by code, like the catalog's
(``catalog/i18n.py``). A name the file does not know is shown as stored. Everything here answers in the
active language.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from govcredit.catalog.i18n import in_english

EN_FILE = Path(__file__).resolve().parent / "data" / "measures.en.json"


@cache
def _english() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads(EN_FILE.read_text(encoding="utf-8"))
    return data


def english_measure_name(code: str) -> str | None:
    """The English name of a measure, or None when the file does not know it."""
    return _english()["measures"].get(code)


def english_rule_name(code: str) -> str | None:
    return _english()["rules"].get(code)


def measure_name(code: str, name: str) -> str:
    """A measure's name in the active language (the stored name when no English one is kept)."""
    return (english_measure_name(code) or name) if in_english() else name


def rule_name(code: str, name: str) -> str:
    return (english_rule_name(code) or name) if in_english() else name
