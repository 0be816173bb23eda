"""What every reader shares: the limits, the table interface, finding the header, the readers' messages."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

from govcredit.catalog.schema import clean_text
from govcredit.core import spreadsheet
from govcredit.core.reading import FileRejected, find_header_row

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 8 * 1024**3
    max_line_bytes: int = 1024**2
    max_columns: int = 200
    header_scan_rows: int = 20
    xlsx_max_unpacked: int = 1024**3
    xlsx_max_ratio: int = 200
    xlsx_max_entries: int = 10_000
    json_array_max_bytes: int = 64 * 1024**2
    api_max_rows: int = 10_000


def limits() -> Limits:
    """The limits in force: the defaults, overridden by ``settings.INTAKE_LIMITS`` (a dict)."""
    return Limits(**getattr(settings, "INTAKE_LIMITS", {}))


BLOCK = 1024**2
SAMPLE = 256 * 1024
ROW_COL = "_row"

#: Every character Python's ``str.strip()`` removes, so that Polars trims exactly as ``clean_text`` does.
PY_WHITESPACE = "".join(ch for ch in map(chr, range(sys.maxunicode + 1)) if ch.isspace())


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (as Excel names columns)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


# What the readers (Polars, the csv and json modules, calamine) say, in words a clerk understands. Their
# own English text never reaches a user: an unknown message becomes the general explanation.
_READER_MESSAGES = (
    ("not properly escaped", "有字段的英文双引号不配对（以引号开头的字段必须以引号结束，字段内的引号要写成两个）"),
    ("unterminated string", "有字符串缺少结束的英文双引号"),
    ("unexpected end of file", "文件在一个带引号的字段中间结束，可能被截断"),
    ("field larger than field limit", "有单元格长度超过上限"),
    ("new-line character seen in unquoted field", "有未加引号的字段中含有换行符"),
    ("expecting property name enclosed in double quotes", "字段名必须用英文双引号括起"),
    ("expecting ',' delimiter", "缺少英文逗号分隔"),
    ("expecting ':' delimiter", "字段名后缺少英文冒号"),
    ("expecting value", "缺少值或含有无效的值"),
    ("extra data", "结尾有多余的内容"),
    ("invalid control character", "字符串中含有控制字符"),
    ("invalid \\escape", "字符串中含有无效的转义符“\\”"),
    ("invalid utf-8", "含有不能按 UTF-8 解码的内容"),
)


def reader_message(exc: BaseException | str, general: str) -> str:
    """A reader's error in Chinese: the known cause, else ``general`` (never the reader's own words)."""
    text = str(exc).lower()
    return next((chinese for english, chinese in _READER_MESSAGES if english in text), general)


# --------------------------------------------------------------------------- the table interface

@dataclass
class Table:
    """A source with a header; ``frames`` yields the data rows below it."""

    format: str
    header: list[str]
    header_row: int  # 1-based
    estimate: int | None = None  # expected number of data rows, for the progress display
    _frames: Callable[[int], Iterator[pl.DataFrame]] | None = None
    _cleanup: list[Path] = field(default_factory=list)

    def frames(self, chunk_size: int) -> Iterator[pl.DataFrame]:
        assert self._frames is not None
        width = len(self.header)
        for frame in self._frames(chunk_size):
            frame = _drop_blank_rows(frame, width)
            if frame.height:
                yield _restored(frame) if self.format in SPREADSHEET_FORMATS else frame

    def close(self) -> None:
        for path in self._cleanup:
            path.unlink(missing_ok=True)

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: Formats a spreadsheet writes; a cell the project neutralised when writing one (an error report the
#: clerk fixed and sends back) is restored on reading (see :func:`govcredit.core.spreadsheet.restore`).
SPREADSHEET_FORMATS = {"csv", "xlsx"}


def _restored(frame: pl.DataFrame) -> pl.DataFrame:
    import polars as pl

    text = [c for c, t in frame.schema.items() if c != ROW_COL and t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(spreadsheet.NEUTRALISED)).then(pl.col(c).str.slice(1)).otherwise(pl.col(c))
        for c in text)


def _drop_blank_rows(frame: pl.DataFrame, width: int) -> pl.DataFrame:
    import polars as pl

    cols = [f"c{i}" for i in range(width)]
    blank = pl.all_horizontal(
        [pl.col(c).is_null() | (pl.col(c).str.strip_chars(PY_WHITESPACE) == "") for c in cols]
    )
    return frame.filter(~blank)


def frame_from_rows(numbers: list[int], rows: list[list[str | None]], width: int) -> pl.DataFrame:
    import polars as pl

    data: dict[str, Any] = {ROW_COL: pl.Series(ROW_COL, numbers, dtype=pl.Int64)}
    for i in range(width):
        data[f"c{i}"] = pl.Series(f"c{i}", [r[i] if i < len(r) else None for r in rows], dtype=pl.String)
    return pl.DataFrame(data)


class NoHeader(FileRejected):
    """No row of the file's top names the fields asked for (a caller may say what its own file should hold)."""


def find_header(rows: list[list[str]], names: set[str]) -> int:
    """Index of the row that names the most catalog fields (a title row above it is skipped)."""
    best = find_header_row(rows, lambda cell: clean_text(cell, fold=True) in names)
    if best < 0:
        raise NoHeader(
            f"找不到表头：文件前 {len(rows)} 行中没有一行含有目录字段名（如“行政相对人名称”“行政处罚决定书文号”）。"
            "请确认选择了正确的信息类别，并把字段名放在数据上方的一行。")
    return best


def trim_header(header: list[str]) -> list[str]:
    """Drop empty columns at the right end of the header (spreadsheets often carry them)."""
    out = list(header)
    while out and not clean_text(out[-1], fold=True):
        out.pop()
    return out


def check_width(width: int) -> None:
    cap = limits().max_columns
    if width > cap:
        raise FileRejected(f"表头有 {width:,} 列，超过上限 {cap} 列：请只保留目录中的字段列。")
