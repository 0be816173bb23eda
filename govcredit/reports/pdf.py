"""The report's PDF, laid out by Typst (``typst/report.typ``; compiled by ``core.typesetting``, which keeps
one compiler per process with the Noto CJK fonts embedded as subsets).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import segno
from django.utils.translation import gettext as _

from govcredit.core.typesetting import FontsMissing, compile_pdf

__all__ = ["FontsMissing", "TEMPLATE", "labels", "qr_svg", "render"]
TEMPLATE = Path(__file__).with_name("typst") / "report.typ"


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
    return compile_pdf(TEMPLATE, data)
