"""Open data (公共数据开放): what the portal discloses today, as CSV, XLSX and JSON downloads.

Only the public, already masked values of :class:`~govcredit.disclosure.models.Publication` are served
(names of natural persons masked when they were published, ID numbers never copied there), plus the record's
status so that a record under objection is marked 异议中. The dataset is ``public_publications()`` as of the
moment of the request (全量); ``published=YYYY-MM-DD`` narrows it to what was newly published that day (当日新增)
and is still public. Withdrawn publications are never served again.

Downloads stream: rows come from ``.iterator(chunk_size=…)``; CSV and JSON are generated piece by piece in a
``StreamingHttpResponse``, XLSX is written by XlsxWriter in ``constant_memory`` mode to a temporary file that a
``FileResponse`` streams and that disappears when the response is closed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from govcredit.core import clock, spreadsheet
from govcredit.disclosure.models import Publication
from govcredit.disclosure.services import public_publications

CHUNK = 2000
ROWS_PER_PIECE = 500


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    meaning: str
    type: str
    example: str


COLUMNS: tuple[Column, ...] = (
    Column("id", "公开编号", "本平台公开信息的唯一编号", "整数", "10086"),
    Column("type_name", "信息类别", "目录中的信息类别，如行政处罚、行政许可", "文本", "行政处罚"),
    Column("public_name", "主体名称", "单位的名称；自然人姓名已脱敏（只显示首尾字）", "文本", "南京某某贸易有限公司 / 张*明"),
    Column("credit_code", "统一社会信用代码", "主体的 18 位统一社会信用代码（GB 32100）；自然人为空", "文本（18 位）",
           "91320100MA1XXXXXXX"),
    Column("decision_number", "决定文书号", "行政处罚决定书文号、行政许可决定文书号等", "文本", "宁市监罚〔2025〕12号"),
    Column("authority_name", "决定机关", "作出决定的机关", "文本", "南京市市场监督管理局"),
    Column("decision_date", "决定日期", "作出决定的日期", "日期（YYYY-MM-DD）", "2025-06-01"),
    Column("published_on", "公开日期", "在本平台公开的日期（北京时间）", "日期（YYYY-MM-DD）", "2025-06-03"),
    Column("visible_until", "公示截止日期", "公示期届满日，届满后自动撤下", "日期（YYYY-MM-DD）", "2026-06-01"),
    Column("status", "状态", "有效；或 异议中（信用主体已提出异议，正在核查）", "文本", "有效"),
)
_SOURCE = ("pk", "type_name", "public_name", "credit_code", "decision_number", "authority_name", "decision_date",
           "published_at", "visible_until", "record__status")


def dataset(published: dt.date | None = None) -> QuerySet[Publication]:
    """The publications of the dataset: all that are public now, or those newly published on ``published``."""
    qs = public_publications()
    if published is not None:
        tz = ZoneInfo(settings.TIME_ZONE)
        start = dt.datetime(published.year, published.month, published.day, tzinfo=tz)
        qs = qs.filter(published_at__gte=start, published_at__lt=start + dt.timedelta(days=1))
    return qs.order_by("pk")


def rows(qs: QuerySet[Publication]) -> Iterator[tuple[Any, ...]]:
    """Typed rows in the order of :data:`COLUMNS`, read in chunks."""
    for pk, type_name, name, code, number, authority, decided, published_at, until, status in (
            qs.values_list(*_SOURCE).iterator(chunk_size=CHUNK)):
        yield (pk, type_name, name, code, number, authority, decided, clock.local_date(published_at), until, status)


def csv_pieces(qs: QuerySet[Publication]) -> Iterator[bytes]:
    """UTF-8 with BOM (so Excel opens the Chinese correctly), CRLF line ends, a few hundred rows per piece."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(spreadsheet.csv_row([c.header for c in COLUMNS]))
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    n = 0
    for row in rows(qs):
        writer.writerow(spreadsheet.csv_row(row))
        n += 1
        if n % ROWS_PER_PIECE == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def json_pieces(qs: QuerySet[Publication], *, title: str) -> Iterator[bytes]:
    """``{"dataset", "generated_at", "columns", "items": [...], "count"}``, streamed."""
    head = {"dataset": title, "generated_at": timezone.localtime(clock.now()).isoformat(timespec="seconds"),
            "columns": [{"key": c.key, "name": c.header, "type": c.type} for c in COLUMNS]}
    yield (json.dumps(head, ensure_ascii=False)[:-1] + ',"items":[').encode("utf-8")
    n = 0
    parts: list[str] = []
    for row in rows(qs):
        item = {c.key: (v.isoformat() if isinstance(v, dt.date) else v) for c, v in zip(COLUMNS, row, strict=True)}
        parts.append(("," if n else "") + json.dumps(item, ensure_ascii=False))
        n += 1
        if len(parts) >= ROWS_PER_PIECE:
            yield "".join(parts).encode("utf-8")
            parts = []
    yield ("".join(parts) + f'],"count":{n}}}').encode("utf-8")


def xlsx_file(qs: QuerySet[Publication], *, title: str) -> IO[bytes]:
    """The dataset as an XLSX in an anonymous temporary file (constant memory), positioned at its start."""
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - handed to FileResponse, which closes it
    book = spreadsheet.workbook(out, constant_memory=True, tmpdir=tempfile.gettempdir())
    sheet = book.add_worksheet("公开信息")
    head = book.add_format({"bold": True, "bg_color": "#EEF0F3", "border": 1})
    for col, c in enumerate(COLUMNS):
        sheet.write_string(0, col, c.header, head)
        sheet.set_column(col, col, 14 if c.key not in ("public_name", "authority_name", "decision_number") else 30)
    for r, row in enumerate(rows(qs), start=1):
        for col, value in enumerate(row):
            spreadsheet.write_cell(sheet, r, col, value)
    notes = book.add_worksheet("说明")
    notes.write_string(0, 0, title)
    notes.write_string(1, 0, f"生成时间：{timezone.localtime(clock.now()):%Y-%m-%d %H:%M}；自然人姓名已脱敏，不含证件号码。")
    book.close()
    out.seek(0)
    return out
