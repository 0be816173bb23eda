"""The search form: the public's inputs validated into :class:`Criteria`, and the bounds of what may be asked.

The bounds are read from this module wherever they apply (``form.PER_PAGE`` …), so there is one place to change them.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcredit.core.errors import DomainError
from govcredit.core.params import parse_date

from .normalise import fold, fold_code

MIN_QUERY = 2
MAX_INPUT = 50
PER_PAGE = 20
MAX_PAGES = 50
MAX_RESULTS = PER_PAGE * MAX_PAGES

_CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# The portal's messages follow the active language (Chinese at /portal/, English at /en/portal/): the
# constants are lazy and become text where they are used; the other messages are translated where they
# are produced. Messages end up as plain ``str`` (SearchError.message, ResultPage.notes), in the language
# of the request that produced them.
FIELD_LABELS = {
    "q": gettext_lazy("名称或统一社会信用代码"), "code": gettext_lazy("统一社会信用代码"),
    "number": gettext_lazy("决定文书号"), "authority": gettext_lazy("决定机关"), "type": gettext_lazy("类别"),
    "from": gettext_lazy("决定日期起"), "to": gettext_lazy("决定日期止"), "page": gettext_lazy("页码"),
}
_CAP_PAGES, _CAP_RESULTS = MAX_PAGES, MAX_RESULTS  # the limits the message states (fixed at import, as before)


def _too_short_message() -> str:
    # The example is a Chinese name in every language, so it stays out of the translated text.
    return _("请至少输入两个字进行检索（例如“%(example)s”）：单个字会匹配大量名称。") % {"example": "玄武"}


def _page_cap_message() -> str:
    return _("为保障平台运行，最多显示前 %(pages)s 页（%(max)s 条）结果，请缩小查询范围。") % {
        "pages": _CAP_PAGES, "max": _CAP_RESULTS}


# Lazy, but typed as str: each becomes text in the active language wherever it is shown or formatted.
MSG_TOO_SHORT: str = lazy(_too_short_message, str)()
MSG_PAGE_CAP: str = lazy(_page_cap_message, str)()


class SearchError(DomainError, ValueError):
    """Criteria the portal refuses; ``message`` is shown to the public as it is (text in the active language);
    ``status`` (400, or 429 for too many searches) on pages and in the API alike."""

    def __init__(self, message: str | Promise, status: int = 400) -> None:
        super().__init__(str(message))
        self.status = self.page_status = status



_TYPES_TTL = 60.0
_types_cache: tuple[float, list[str]] = (0.0, [])


def public_type_names() -> list[str]:
    """Names of the record types whose current catalog version is public (the type filter's choices).

    Kept for a minute per process: it is on every portal page and the catalog changes rarely.
    """
    global _types_cache
    from govcredit.catalog.models import Disclosure, RecordTypeVersion

    stamp, names = _types_cache
    if names and time.monotonic() - stamp < _TYPES_TTL:
        return names
    current: dict[str, tuple[str, str]] = {}
    for code, name, disclosure in (RecordTypeVersion.objects.order_by("record_type__code", "version")
                                   .values_list("record_type__code", "record_type__name", "disclosure")):
        current[code] = (name, disclosure)
    names = [name for name, disclosure in current.values() if disclosure == Disclosure.PUBLIC]
    _types_cache = (time.monotonic(), names)
    return names


@dataclass
class Criteria:
    """Validated search criteria; ``form`` holds the raw inputs to show them again."""

    name: str = ""
    code: str = ""
    number: str = ""
    authority: str = ""
    type_name: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1
    form: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.name or self.code or self.number or self.authority or self.type_name
                    or self.date_from or self.date_to)


def _text(data: Mapping[str, Any], key: str) -> str:
    raw = data.get(key) or ""
    value = str(raw).strip()
    if len(value) > MAX_INPUT:
        raise SearchError(_("“%(label)s”不能超过 %(max)s 个字符。") % {"label": FIELD_LABELS[key], "max": MAX_INPUT})
    if _CONTROL.search(value):
        raise SearchError(_("“%(label)s”包含不允许的控制字符。") % {"label": FIELD_LABELS[key]})
    return value


def _date(data: Mapping[str, Any], key: str) -> dt.date | None:
    value = _text(data, key)
    if not value:
        return None
    try:
        return parse_date(unicodedata.normalize("NFKC", value))
    except ValueError:
        raise SearchError(_("“%(label)s”应为日期，格式为 YYYY-MM-DD。") % {"label": FIELD_LABELS[key]}) from None


def _page(data: Mapping[str, Any], strict: bool, notes: list[str]) -> int:
    raw = _text(data, "page")
    try:
        page = int(raw) if raw else 1
    except ValueError:
        if strict:
            raise SearchError(_("“页码”应为正整数。")) from None
        page = 1
    if page < 1:
        if strict:
            raise SearchError(_("“页码”应为正整数。"))
        page = 1
    if page > MAX_PAGES:
        if strict:
            raise SearchError(_("“页码”不能大于 %(max)s：%(cap)s") % {"max": MAX_PAGES, "cap": MSG_PAGE_CAP})
        notes.append(str(MSG_PAGE_CAP))
        page = MAX_PAGES
    return page


def parse_criteria(data: Mapping[str, Any], *, strict_page: bool = False,
                   type_names: Iterable[str] | None = None) -> Criteria:
    """Validate the portal's search inputs (``q code number authority type from to page``).

    Raises :class:`SearchError` with a message in the active language for inputs that are too long, too short to
    search (one character), or malformed. A page beyond the last allowed one is refused when
    ``strict_page`` (the JSON API) and otherwise clamped with a note (the pages).
    """
    c = Criteria()
    c.form = {k: _text(data, k) for k in ("q", "code", "number", "authority", "type", "from", "to")}
    query = c.form["q"]
    if query and _CODE.fullmatch(fold_code(query)):
        c.code = fold_code(query)
    elif query:
        c.name = fold(query)
        if len(c.name) < MIN_QUERY:
            raise SearchError(MSG_TOO_SHORT)
    if c.form["code"]:
        code = fold_code(c.form["code"])
        if not _CODE.fullmatch(code):
            raise SearchError(_("统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V）。"))
        if c.code and c.code != code:
            raise SearchError(_("检索框与“统一社会信用代码”填写了不同的代码。"))
        c.code = code
    if c.form["number"]:
        c.number = fold(c.form["number"])
        if len(c.number) < MIN_QUERY:
            raise SearchError(_("“决定文书号”请至少输入两个字符。"))
    if c.form["authority"]:
        c.authority = fold(c.form["authority"])
        if len(c.authority) < MIN_QUERY:
            raise SearchError(_("“决定机关”请至少输入两个字。"))
    if c.form["type"]:
        allowed = list(type_names) if type_names is not None else public_type_names()
        if c.form["type"] not in allowed:
            # The type names are catalog data and stay as stored; only the sentence and its separator are translated.
            raise SearchError(_("“类别”应为以下之一：%(types)s。") % {"types": _("、").join(allowed)})
        c.type_name = c.form["type"]
    c.date_from, c.date_to = _date(data, "from"), _date(data, "to")
    if c.date_from and c.date_to and c.date_from > c.date_to:
        raise SearchError(_("“决定日期起”不能晚于“决定日期止”。"))
    c.page = _page(data, strict_page, c.notes)
    return c

