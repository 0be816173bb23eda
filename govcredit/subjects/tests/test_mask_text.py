"""mask_text: personal numbers in free text, however they are spelled, and the persons' names."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest

from govcredit.subjects.identifiers import make_id_number, mask_text

ID = make_id_number("320102", dt.date(1990, 3, 5), 1)
MASKED_ID = ID[:4] + "*" * 10 + ID[-4:]


def _spaced(text: str, width: int, sep: str) -> str:
    return sep.join(text[i:i + width] for i in range(0, len(text), width))


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


@pytest.mark.parametrize("spelling", [
    ID, _spaced(ID, 4, " "), _spaced(ID, 6, "-"), _spaced(ID, 3, "."), _spaced(ID, 4, "\u3000"),
    _spaced(ID, 4, "\u200b"), _spaced(ID, 4, " - "), _full_width(ID), _spaced(_full_width(ID), 4, "－"),
    "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in ID),  # Arabic-Indic digits
])
def test_id_numbers_are_masked_in_every_spelling(spelling: str) -> None:
    out = mask_text(f"当事人（证件{spelling}）")
    assert out == f"当事人（证件{MASKED_ID}）"


@pytest.mark.parametrize("spelling", [
    "13822223333", "138 2222 3333", "138.2222.3333", "138-2222-3333", "１３８－２２２２－３３３３", "138\u200b2222\u200b3333",
    "¹³⁸²²²²³³³³", "①③⑧ ②②②② ③③③③", "138 - 2222 - 3333", "+86 138 2222 3333",
])
def test_mobile_numbers_are_masked_in_every_spelling(spelling: str) -> None:
    out = mask_text(f"电话{spelling}。")
    plain = re.sub(r"(?<=\d)\D(?=\d)", "", unicodedata.normalize("NFKC", out))
    assert "22223333" not in plain and "2222" not in plain and out.endswith("3333。")


def test_dates_amounts_and_decision_numbers_stay() -> None:
    for text in ("宁市监罚〔2025〕12号", "罚款人民币50000元，2026年10月8日", "2026.01.01-2026.12.31", "20260101-20261231",
                 "面积100m²", "2026-10-08 14:30"):
        assert mask_text(text) == text
    assert mask_text("2026-10-08 13822223333") == "2026-10-08 138****3333"


def test_names_and_idempotence() -> None:
    text = f"王二小（{_spaced(ID, 4, ' ')}，138.2222.3333）与王二小明"
    once = mask_text(text, ["王二小", "王二小明", "王"])
    assert once == f"王*小（{MASKED_ID}，138****3333）与王**明"
    assert mask_text(once, ["王二小", "王二小明"]) == once
