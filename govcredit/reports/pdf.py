"""The report's PDF, laid out by Typst (``typst/report.typ``) with Noto CJK fonts embedded (subset).

Typst was chosen over WeasyPrint after measuring both on the same two-page table (see
``docs/architecture.md``): one compiler per process keeps its parsed fonts, so a report takes tens of
milliseconds where an HTML-to-PDF engine took over half a second. The compiler is not shared between
threads; a lock serialises the (short) compilations of one process.
"""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path
from typing import Any

import segno
import typst
from django.conf import settings
from django.utils.translation import gettext as _

TEMPLATE = Path(__file__).with_name("typst") / "report.typ"
NOTO = Path("/usr/share/fonts/opentype/noto")  # Debian's fonts-noto-cjk, installed by run.sh / test.sh
# The faces the layout uses. Typst reads every font file of its folders, so the compiler gets a folder of
# links to these two (Song-style text, Hei-style bold for the title, headings and table heads) instead of
# all of Noto CJK: it keeps a report's peak memory within its limit (benchmarks/reports.py).
FACES = ("NotoSerifCJK-Regular.ttc", "NotoSansCJK-Bold.ttc")
_lock = threading.Lock()
_compiler: typst.Compiler | None = None


class FontsMissing(RuntimeError):
    pass


def _get_compiler() -> typst.Compiler:
    global _compiler
    if _compiler is None:
        fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(_faces())])
        if not any("CJK" in family for family in fonts.families()):
            raise FontsMissing("缺少中文字体：请安装 Debian 的 fonts-noto-cjk（./run.sh 会自动安装）")
        _compiler = typst.Compiler(TEMPLATE, root=TEMPLATE.parent, font_paths=fonts)
    return _compiler


def _faces() -> Path:
    folder = Path(settings.VAR_DIR) / "fonts"
    folder.mkdir(parents=True, exist_ok=True)
    for face in FACES:
        link = folder / face
        if (NOTO / face).exists() and not link.exists():
            with contextlib.suppress(FileExistsError):  # another process made it first
                link.symlink_to(NOTO / face)
    return folder


QR_MASK = 2  # every mask pattern is standard and read by every scanner; choosing the "best" per code took 10 ms


def qr_svg(text: str) -> str:
    return str(segno.make(text, error="m", mask=QR_MASK).svg_inline(scale=4, border=2))


def labels() -> dict[str, str]:
    return {
        "number": _("报告编号"), "issued_at": _("出具时间"), "purpose": _("查询目的"), "period": _("查询期"), "identity": _("主体信息"),
        "conclusion": _("结论"), "none": _("无。"), "verify_code": _("核验码"), "verify_at": _("核验网址"),
        "seal": _("出具单位（盖章）"), "page_of": _("第 {page} 页 共 {pages} 页"),
        "verify_hint": _("本报告可凭报告编号与核验码在政务诚信信息平台核验真伪"),
        "notes": _("说明：本报告依据政务信用信息档案出具，查询期为报告出具前五年；已撤销的记录不列入，已修复的记录注明“已修复”，"
                   "不计入失信记录条数；异议处理中的记录注明“异议中”。"),
    }


def render(content: dict[str, Any], *, code: str, verify_url: str) -> bytes:
    """The PDF of a report's ``content`` (see :func:`.services.build_content`) with its code and QR code."""
    data = {**content, "code": code, "verify_url": verify_url, "qr_svg": qr_svg(verify_url), "labels": labels(),
            "issued_date": content["issued_at"][:10]}
    with _lock:
        document = _get_compiler().compile(sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
                                           format="pdf")
    assert isinstance(document, bytes)
    return document
