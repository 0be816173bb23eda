"""Staff lists as tables: one declaration of the columns gives the page's table (headers that sort) and
its XLSX export, so a list exported to Excel has exactly the columns, order, masking and filters the page
shows.

* :class:`Column` names a column, the value it shows (computed on the server, so masked values stay
  masked in the file too), an optional link and an optional sort key.
* :class:`Table` is the list: its columns and default order. ``Table.sort(queryset, raw)`` orders by
  ``?sort=key`` or ``?sort=-key`` from a whitelist (the columns' sort keys), always ending with the primary
  key so that equal values keep one order across pages. An unknown key falls back to the default on
  pages; the API refuses it (:class:`UnknownSort`, answered 422).
* :func:`table_page` is a page's context (sorted, paged rows; headers linking to the other orders);
  :func:`xlsx_response` the same rows as an XLSX file written through :mod:`govcredit.core.spreadsheet`,
  which keeps formula-like text inert. A page offers the file at its own URL with ``?format=xlsx``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from . import clock, spreadsheet
from .paging import paginate

T = TypeVar("T")

#: The most rows one export writes; a longer list says so on its notes sheet (narrow the filters).
MAX_EXPORT_ROWS = 50_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UnknownSort(ValidationError):
    """A ``sort`` the list does not offer, refused as the ``sort`` field (the API answers 422); the message
    is Chinese and names the keys the list does offer."""

    def __init__(self, message: str) -> None:
        super().__init__({"sort": [message]})


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column: its header, the value shown for a row and, optionally, a link and a sort key.

    ``sort`` is the key in ``?sort=``; ``order`` the fields it orders by (default: the key itself).
    """

    label: str | Promise
    value: Callable[[T], Any]
    sort: str = ""
    order: tuple[str, ...] = ()
    link: Callable[[T], str] | None = None
    badge: Callable[[T], str] | None = None  # a CSS class: the value is shown as a badge
    data: bool = False  # the value is data (a name, a number, what a clerk wrote): marked translate="no"

    @property
    def fields(self) -> tuple[str, ...]:
        return self.order or ((self.sort,) if self.sort else ())


@dataclass(frozen=True)
class Header:
    label: str
    url: str
    direction: str  # "asc", "desc" or ""

    @property
    def aria(self) -> str:
        return {"asc": "ascending", "desc": "descending"}.get(self.direction, "none")


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""
    badge: str = ""
    data: bool = False


@dataclass(frozen=True)
class TableView:
    headers: list[Header]
    rows: list[list[Cell]]
    sort: str
    export_url: str


@dataclass(frozen=True)
class Table(Generic[T]):
    columns: Sequence[Column[T]]
    default: str
    extra_sorts: dict[str, tuple[str, ...]] = field(default_factory=dict)  # keys without a column of their own

    def sorts(self) -> dict[str, tuple[str, ...]]:
        """The whitelist: sort key → the fields it orders by."""
        return {**{c.sort: c.fields for c in self.columns if c.sort}, **self.extra_sorts}

    def sort(self, queryset: QuerySet[Any], raw: str | None, *, strict: bool = False) -> tuple[QuerySet[Any], str]:
        """``queryset`` in the order ``raw`` asks for (else the default) and the key actually used.

        With ``strict`` an unknown key raises :class:`UnknownSort` instead of falling back.
        """
        allowed = self.sorts()
        key = (raw or "").strip()
        if key.lstrip("-") not in allowed:
            if key and strict:
                names = "、".join(sorted(allowed))
                raise UnknownSort(f"不支持按“{key}”排序；可用：{names}（前加 - 为倒序）")
            key = self.default
        descending = key.startswith("-")
        fields = [f"-{f}" if descending else f for f in allowed[key.lstrip("-")]]
        return queryset.order_by(*fields, "-pk" if descending else "pk"), key

    def row(self, obj: T) -> list[Any]:
        """The row's values as the export writes them."""
        return [column.value(obj) for column in self.columns]

    def view(self, objects: Iterable[T], params: QueryDict, sort: str, *, page_param: str = "page",
             sort_param: str = "sort", export: str = "") -> TableView:
        """Headers (each linking to its order: ascending first, then descending) and the rows' cells.

        ``page_param``/``sort_param`` name this table's parameters (a page may hold two tables);
        ``export`` is sent as ``export=`` with the XLSX link, to say which of them to export.
        """
        headers = []
        for column in self.columns:
            url, direction = "", ""
            if column.sort:
                direction = "asc" if sort == column.sort else "desc" if sort == f"-{column.sort}" else ""
                query = params.copy()
                query.pop(page_param, None)
                query[sort_param] = f"-{column.sort}" if direction == "asc" else column.sort
                url = f"?{query.urlencode()}"
            headers.append(Header(str(column.label), url, direction))
        rows = [[Cell(display(column.value(obj)), column.link(obj) if column.link else "",
                      column.badge(obj) if column.badge else "", column.data) for column in self.columns]
                for obj in objects]
        link = params.copy()
        link.pop(page_param, None)
        link["format"] = "xlsx"
        if export:
            link["export"] = export
        return TableView(headers, rows, sort, f"?{link.urlencode()}")


def yes_no(value: bool) -> str:
    """A yes/no column's text, in the page's language (the same in the export)."""
    return _("是") if value else _("否")


def display(value: Any) -> str:
    """A value as the page shows it: dates as YYYY-MM-DD, times local to the minute, amounts without
    trailing zeros, nothing as an empty cell."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Decimal | dt.date) or value is None:
        return spreadsheet.text_of(value)
    return str(value)


def wants_xlsx(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


def table_page(request: HttpRequest, table: Table[T], queryset: QuerySet[Any], *, per_page: int = 25,
               page_param: str = "page", sort_param: str = "sort", export: str = "") -> dict[str, Any]:
    """A list page's context: ``table`` (a :class:`TableView` of the current page), ``page_obj`` and the
    paging query string (see templates/pagination.html)."""
    ordered, sort = table.sort(queryset, request.GET.get(sort_param))
    context = paginate(request, ordered, per_page=per_page, param=page_param)
    context["table"] = table.view(context["page_obj"], request.GET, sort, page_param=page_param,
                                  sort_param=sort_param, export=export)
    return context


def xlsx_response(request: HttpRequest, table: Table[T], queryset: QuerySet[Any], *, title: str,
                  filename: str, sort_param: str = "sort") -> FileResponse:
    """The whole list (sorted as the page, at most ``MAX_EXPORT_ROWS`` rows) as an XLSX file.

    The first sheet holds the header and the rows; a notes sheet says what the list is, when it was
    made, which filters applied and whether it was cut at the limit.
    """
    ordered, _sort = table.sort(queryset, request.GET.get(sort_param))
    target = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    book = spreadsheet.workbook(target, constant_memory=True)
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(title[:31].translate(str.maketrans("[]:*?/\\", "（）：＊？／＼")))
    for col, column in enumerate(table.columns):
        spreadsheet.write_cell(sheet, 0, col, str(column.label), bold)
        sheet.set_column(col, col, 18)
    written, truncated = 0, False
    for obj in ordered[:MAX_EXPORT_ROWS + 1].iterator(chunk_size=2000):
        if written == MAX_EXPORT_ROWS:
            truncated = True
            break
        written += 1
        for col, value in enumerate(table.row(obj)):
            spreadsheet.write_cell(sheet, written, col, str(value) if isinstance(value, Promise) else value)
    notes = book.add_worksheet(_("说明"))
    filters = "; ".join(f"{k}={v}" for k, v in request.GET.items() if k not in {"format", "export"} and not k.endswith("page")) or "—"
    lines = [(_("清单"), title), (_("导出时间"), clock.now()), (_("条件"), filters), (_("行数"), written)]
    if truncated:
        lines.append((_("注意"), _("只导出了前 %(n)d 行，请缩小查询条件后分次导出。") % {"n": MAX_EXPORT_ROWS}))
    for row, (name, value) in enumerate(lines):
        spreadsheet.write_cell(notes, row, 0, name, bold)
        spreadsheet.write_cell(notes, row, 1, value)
    notes.set_column(0, 0, 12)
    notes.set_column(1, 1, 60)
    book.close()
    target.seek(0)
    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M")
    response = FileResponse(target, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}_{stamp}.xlsx") or "attachment"
    response["Cache-Control"] = "no-store"
    return response
