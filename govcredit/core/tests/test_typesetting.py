"""``core.typesetting``: a process that lays out many different documents holds about what one needs.

Typst memoises every compilation and typst-py forgets an entry only after ten compilations without it;
``compile_pdf`` ages each document's entries out right after it (see the module). Without that, twelve
different three-page tables grew a process by over 30 MB; with it, by about 4.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from govcredit.core import typesetting

TABLE = """#let d = json(bytes(sys.inputs.data))
#set text(font: ("Noto Serif CJK SC", "Noto Sans CJK SC"), size: 10.5pt)
#set page(paper: "a4")
= #d.title
#table(columns: (auto, auto, 1fr, auto), table.header(..("文号", "机关", "事实", "状态").map(c => strong(c))),
  ..d.rows.flatten())
"""


def resident_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def document(n: int) -> dict[str, object]:
    """A two-page table of its own: each document differs, as issued reports do."""
    return {"title": f"政务信用报告 第{n}号",
            "rows": [[f"玄纪〔2025〕{n}-{i}号", "玄武区纪委监委", f"违规发放津贴补贴{n * 100 + i}" * 3, "有效"]
                     for i in range(50)]}


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "table.typ"
    path.write_text(TABLE, encoding="utf-8")
    return path


def test_different_documents_do_not_pile_up_in_typsts_memo(template: Path) -> None:
    for n in range(2):  # the fonts read and parsed, the first layouts
        typesetting.compile_pdf(template, document(n))
    before = resident_mb()
    for n in range(2, 14):
        typesetting.compile_pdf(template, document(n))
    grown = resident_mb() - before
    assert grown < 20, f"twelve different documents grew the process by {grown:.0f} MB"


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "")


def test_a_document_after_the_memo_is_forgotten_is_the_same(template: Path) -> None:
    """Forgetting the memo changes nothing in the output: the same data gives the same pages and text (the
    bytes differ only by the creation time, to the second)."""
    first = typesetting.compile_pdf(template, document(1))
    typesetting.compile_pdf(template, document(2))
    again = typesetting.compile_pdf(template, document(1))
    assert len(PdfReader(io.BytesIO(again)).pages) == len(PdfReader(io.BytesIO(first)).pages)
    assert text_of(again) == text_of(first)
    assert "政务信用报告第1号" in text_of(again)
