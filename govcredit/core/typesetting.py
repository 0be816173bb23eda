"""PDF documents laid out by Typst, for every app that prints one (the credit report, the credit commitment).

Typst was chosen over WeasyPrint after measuring both on the same two-page table (see
``docs/architecture.md``): one compiler per template and process keeps its parsed fonts, so a document
takes tens of milliseconds where an HTML-to-PDF engine took over half a second. A compiler is not shared
between threads; a lock serialises the (short) compilations of one process.

A template reads its data as JSON from ``sys.inputs.data`` (``json(bytes(sys.inputs.data))``). The fonts
are Noto CJK, embedded as subsets: Song-style text and Hei-style bold.

Typst memoises what a compilation computed (layout, shaping, the PDF's font subsets) and typst-py drops an
entry only when ten compilations have gone by without using it: the only eviction it does, after each
compile, and it has no call to clear the memo. Every report is a document of its own (number, code, data),
so the memo held about ten reports' worth, some 50-60 MB of a worker's peak. After each document
``compile_pdf`` therefore compiles an empty one ten times, which ages the earlier document's entries out
(a few milliseconds); the parsed fonts live in the font slots, not in the memo, and stay.
"""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path
from typing import Any

import typst
from django.conf import settings

NOTO = Path("/usr/share/fonts/opentype/noto")  # Debian's fonts-noto-cjk, installed by run.sh / test.sh
# The faces the layouts use. Typst reads every font file of its folders, so the compilers get a folder of
# links to these two (Song-style text, Hei-style bold for titles, headings and table heads) instead of
# all of Noto CJK: it keeps a document's peak memory within its limit (benchmarks/reports.py).
FACES = ("NotoSerifCJK-Regular.ttc", "NotoSansCJK-Bold.ttc")
# typst-py evicts memo entries unused for this many compilations (``comemo::evict(10)`` after each compile).
MEMO_GENERATIONS = 10
_BLANK = b"#none"  # an empty document: lays nothing out and uses no font
_lock = threading.Lock()
_fonts: typst.Fonts | None = None
_compilers: dict[Path, typst.Compiler] = {}
_blank: typst.Compiler | None = None


class FontsMissing(RuntimeError):
    pass


def _get_fonts() -> typst.Fonts:
    global _fonts
    if _fonts is None:
        fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(_faces())])
        if not any("CJK" in family for family in fonts.families()):
            raise FontsMissing("缺少中文字体：请安装 Debian 的 fonts-noto-cjk（./run.sh 会自动安装）")
        _fonts = fonts
    return _fonts


def _get_compiler(template: Path) -> typst.Compiler:
    compiler = _compilers.get(template)
    if compiler is None:
        compiler = typst.Compiler(template, root=template.parent, font_paths=_get_fonts())
        _compilers[template] = compiler
    return compiler


def _forget_earlier_compilations() -> None:
    """Age the memo of the compilation just made out of typst-py's cache: compile an empty document as many
    times as typst-py keeps an unused entry. The input is passed on every call (typst-py 0.15.2 finds an
    in-memory input only on its first compile)."""
    global _blank
    if _blank is None:
        _blank = typst.Compiler(_BLANK, root=Path(__file__).parent, font_paths=_get_fonts())
    for _ in range(MEMO_GENERATIONS):
        _blank.compile(input=_BLANK, format="svg")


def _faces() -> Path:
    folder = Path(settings.VAR_DIR) / "fonts"
    folder.mkdir(parents=True, exist_ok=True)
    for face in FACES:
        link = folder / face
        if (NOTO / face).exists() and not link.exists():
            with contextlib.suppress(FileExistsError):  # another process made it first
                link.symlink_to(NOTO / face)
    return folder


def compile_pdf(template: Path, data: dict[str, Any]) -> bytes:
    """The PDF of the Typst ``template`` (a file; its folder is the root it may read from) given ``data``."""
    with _lock:
        document = _get_compiler(template).compile(sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
                                                   format="pdf")
        _forget_earlier_compilations()
    assert isinstance(document, bytes)
    return document
