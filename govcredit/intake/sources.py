"""Reading submitted files safely: CSV (UTF-8 with or without BOM, GB18030/GBK), XLSX, JSON Lines, JSON arrays.

Every reader works with bounded memory and stops with a :class:`FileRejected` carrying a Chinese
message on the first sign of a bad file — before any row is handed on, so nothing gets written:

* empty files, binary junk, old .xls, UTF-16 and undecodable text;
* physical lines longer than ``max_line_bytes`` (read in blocks, never whole);
* XLSX files whose ZIP entries would unpack to more than ``xlsx_max_unpacked`` bytes, with an
  unusual compression ratio, or whose real size differs from the size they declare (zip bombs);
* headers with more than ``max_columns`` columns and merged header cells.

A reader yields Polars frames of at most ``chunk_size`` rows whose columns are ``_row`` (the
row's number in the file, as a clerk counts it in Excel: the header is its own row) and
``c0`` … ``cN`` (the cells as text, in header order).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings

from govcredit.catalog.schema import clean_text
from govcredit.core import spreadsheet


class FileRejected(ValueError):
    """The file as a whole cannot be taken; the message is Chinese and says what to do."""


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


CSV_GENERAL = "文件无法按 CSV 读取（常见原因：英文双引号不配对、文件被截断、分隔符不是英文逗号）"
XLSX_GENERAL = "无法读取 XLSX 文件：文件已损坏，或不是 Excel/WPS 保存的 .xlsx 文件。请重新保存后再提交。"
JSON_GENERAL = "格式错误"
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


def _mb(n: int) -> str:
    return f"{n / 1024**2:,.0f} MB" if n >= 1024**2 else f"{n / 1024:,.0f} KB"


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
    text = [c for c, t in frame.schema.items() if c != ROW_COL and t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(spreadsheet.NEUTRALISED)).then(pl.col(c).str.slice(1)).otherwise(pl.col(c))
        for c in text)


def _drop_blank_rows(frame: pl.DataFrame, width: int) -> pl.DataFrame:
    cols = [f"c{i}" for i in range(width)]
    blank = pl.all_horizontal(
        [pl.col(c).is_null() | (pl.col(c).str.strip_chars(PY_WHITESPACE) == "") for c in cols]
    )
    return frame.filter(~blank)


def _frame_from_rows(numbers: list[int], rows: list[list[str | None]], width: int) -> pl.DataFrame:
    data: dict[str, Any] = {ROW_COL: pl.Series(ROW_COL, numbers, dtype=pl.Int64)}
    for i in range(width):
        data[f"c{i}"] = pl.Series(f"c{i}", [r[i] if i < len(r) else None for r in rows], dtype=pl.String)
    return pl.DataFrame(data)


def find_header(rows: list[list[str]], names: set[str]) -> int:
    """Index of the row that names the most catalog fields (a title row above it is skipped)."""
    best, best_hits = -1, 0
    for i, row in enumerate(rows):
        hits = sum(1 for cell in row if cell and clean_text(cell, fold=True) in names)
        if hits > best_hits:
            best, best_hits = i, hits
    if best < 0:
        raise FileRejected(
            f"找不到表头：文件前 {len(rows)} 行中没有一行含有目录字段名（如“行政相对人名称”“行政处罚决定书文号”）。"
            "请确认选择了正确的信息类别，并把字段名放在数据上方的一行。")
    return best


def _trim_header(header: list[str]) -> list[str]:
    """Drop empty columns at the right end of the header (spreadsheets often carry them)."""
    out = list(header)
    while out and not clean_text(out[-1], fold=True):
        out.pop()
    return out


def _check_width(width: int) -> None:
    cap = limits().max_columns
    if width > cap:
        raise FileRejected(f"表头有 {width:,} 列，超过上限 {cap} 列：请只保留目录中的字段列。")


# --------------------------------------------------------------------------- sniffing

def sniff_format(path: Path, name: str = "") -> str:
    """csv, xlsx, jsonl or json — by content first, the file name only to break ties."""
    size = path.stat().st_size
    cap = limits().max_file_bytes
    if size > cap:
        raise FileRejected(f"文件大小 {_mb(size)}，超过上限 {_mb(cap)}。")
    with path.open("rb") as f:
        head = f.read(SAMPLE)
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise FileRejected("文件为空：没有表头，也没有数据行。")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected("不支持旧版 Excel（.xls）文件：请在 Excel 中另存为 .xlsx 或 CSV 后再提交。")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRejected("不支持 UTF-16 编码的文件：请另存为 UTF-8 或 GB18030/GBK 编码的 CSV。")
    if _looks_binary(head):
        raise FileRejected("文件含有二进制内容，不是文本表格：请提交 CSV、XLSX 或 JSON 文件。")
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    lower = name.lower()
    if first == b"[" and not lower.endswith((".csv", ".txt")):
        return "json"
    if first == b"{" and not lower.endswith((".csv", ".txt")):
        return "jsonl"
    return "csv"


def _looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    controls = sum(sample.count(bytes([c])) for c in range(32) if c not in (9, 10, 13, 12))
    return controls > max(8, len(sample) // 100)


def detect_encoding(path: Path) -> str:
    """utf-8-sig, utf-8 or gb18030 (which covers GBK and GB2312), judged on the first block."""
    with path.open("rb") as f:
        head = f.read(SAMPLE)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for enc in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(enc)("strict").decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return enc
    raise FileRejected("无法识别文件编码：既不是 UTF-8，也不是 GB18030/GBK。请在 Excel 或 WPS 中另存为“CSV UTF-8”后再提交。")


# --------------------------------------------------------------------------- CSV

def _scan_text(path: Path, encoding: str, out: io.BufferedWriter | None) -> int:
    """Check the whole file in blocks: decodable, no NUL bytes, no over-long line; transcode to ``out``.

    Returns the number of physical lines (a final newline ends the last one). Memory stays within a
    few blocks whatever the file holds.
    """
    max_line = limits().max_line_bytes
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    line_no, current = 1, 0
    with path.open("rb") as f:
        while block := f.read(BLOCK):
            if b"\x00" in block:
                raise FileRejected(f"第 {line_no} 行附近含有二进制内容（NUL 字节），不是文本表格。")
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError:
                name = "UTF-8" if encoding.startswith("utf-8") else "GB18030/GBK"
                raise FileRejected(
                    f"文件编码错误：第 {line_no} 行附近有不能按 {name} 解码的内容（文件开头按 {name} 识别）。"
                    "请把整个文件另存为同一种编码（建议 UTF-8）后再提交。") from None
            if out is not None:
                out.write(text.encode("utf-8"))
            parts = block.split(b"\n")
            if len(parts) == 1:
                current += len(block)
            else:
                if current + len(parts[0]) > max_line:
                    raise _long_line(line_no, max_line)
                for offset, part in enumerate(parts[1:-1], start=1):
                    if len(part) > max_line:
                        raise _long_line(line_no + offset, max_line)
                current = len(parts[-1])
                line_no += len(parts) - 1
            if current > max_line:
                raise _long_line(line_no, max_line)
        try:
            tail = decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise FileRejected("文件编码错误：文件末尾有不完整的字符。请重新导出文件后再提交。") from None
        if out is not None and tail:
            out.write(tail.encode("utf-8"))
    return line_no if current else line_no - 1  # a final newline does not start another line


def _long_line(line_no: int, max_line: int) -> FileRejected:
    return FileRejected(f"第 {line_no} 行长度超过 {_mb(max_line)}：不像是正常的表格行（可能缺少换行或不是 CSV 文件）。")


def _csv_head(path: Path, scan: int) -> list[list[str]]:
    """The first ``scan`` records, parsed with the csv module from a bounded prefix of the file."""
    max_line = limits().max_line_bytes
    with path.open("rb") as f:
        raw = f.read(min(max_line * 2, 4 * 1024**2))
    text = raw.decode("utf-8", errors="ignore").lstrip("\ufeff")
    csv.field_size_limit(max_line)
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= scan:
                break
    except csv.Error as e:
        raise FileRejected(f"CSV 格式错误（第 {len(rows) + 1} 行）：{reader_message(e, CSV_GENERAL)}。") from None
    return rows


def open_csv(path: Path, names: set[str]) -> Table:
    encoding = detect_encoding(path)
    cleanup: list[Path] = []
    source = path
    if encoding == "gb18030" or encoding == "utf-8-sig":
        fd, tmp = tempfile.mkstemp(prefix="intake-", suffix=".csv", dir=_tmp_dir())
        os.close(fd)
        source = Path(tmp)
        cleanup.append(source)
        try:
            with source.open("wb") as out:
                lines = _scan_text(path, encoding, out)  # type: ignore[arg-type]
        except BaseException:
            source.unlink(missing_ok=True)
            raise
    else:
        lines = _scan_text(path, encoding, None)
    try:
        rows = _csv_head(source, limits().header_scan_rows)
        if not rows:
            raise FileRejected("文件为空：没有表头，也没有数据行。")
        index = find_header(rows, names)
        header = _trim_header(rows[index])
        _check_width(len(header))
        width = len(header)
        if width == 0:
            raise FileRejected("表头为空。")
        skip = index + 1
        first_data_row = index + 2
    except BaseException:
        for p in cleanup:
            p.unlink(missing_ok=True)
        raise

    def frames(chunk_size: int) -> Iterator[pl.DataFrame]:
        # Polars takes the number of columns from the first row it reads: a short first data row must not
        # make the file "lack" columns, nor a long one have extra ones. Rows are cut or padded to the
        # header's width wherever they are in the file, so the first row is treated like any other.
        lf = pl.scan_csv(
            source, has_header=False, infer_schema=False, skip_rows=skip,
            schema={f"c{i}": pl.String for i in range(width)}, row_index_name=ROW_COL,
            row_index_offset=first_data_row, truncate_ragged_lines=True, empty_string_is_null=False,
            encoding="utf8", quote_char='"', raise_if_empty=False, missing_columns="insert", extra_columns="ignore",
        )
        try:
            for frame in lf.collect_batches(chunk_size=chunk_size):
                yield frame.with_columns(pl.col(ROW_COL).cast(pl.Int64))
        except pl.exceptions.PolarsError as e:
            raise FileRejected(f"CSV 格式错误：{reader_message(e, CSV_GENERAL)}。") from None

    return Table("csv", header, index + 1, max(lines - index - 1, 0), frames, cleanup)


def _tmp_dir() -> str:
    path = Path(settings.MEDIA_ROOT) / "intake" / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


# --------------------------------------------------------------------------- XLSX

def check_zip(path: Path) -> None:
    """Refuse a zip bomb before any spreadsheet library opens the file.

    Declared sizes and ratios are checked first; then every entry is inflated as a stream (nothing
    kept) so that an entry bigger than it declares fails its size and CRC check.
    """
    lim = limits()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise FileRejected("文件不是有效的 XLSX 文件（无法作为 ZIP 打开）：请用 Excel 或 WPS 重新保存为 .xlsx。") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > lim.xlsx_max_entries:
            raise FileRejected(f"XLSX 文件内含 {len(infos):,} 个部件，超过上限 {lim.xlsx_max_entries:,}，疑似恶意文件。")
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
            raise FileRejected("文件不是有效的 XLSX 文件（缺少工作簿部件）：请用 Excel 或 WPS 重新保存为 .xlsx。")
        total = sum(i.file_size for i in infos)
        if total > lim.xlsx_max_unpacked:
            raise FileRejected(f"XLSX 文件解压后有 {_mb(total)}，超过上限 {_mb(lim.xlsx_max_unpacked)}，"
                               "疑似“压缩炸弹”：请拆分文件或改用 CSV 提交。")
        for info in infos:
            if info.file_size > 1024**2 and info.file_size > lim.xlsx_max_ratio * max(info.compress_size, 1):
                raise FileRejected(f"XLSX 部件 {info.filename} 的压缩比异常（{info.file_size // max(info.compress_size, 1):,} 倍），"
                                   "疑似“压缩炸弹”，已拒收。")
        unpacked = 0
        for info in infos:
            try:
                with zf.open(info) as member:
                    while chunk := member.read(BLOCK):
                        unpacked += len(chunk)
                        if unpacked > lim.xlsx_max_unpacked:
                            raise FileRejected(f"XLSX 文件解压后超过上限 {_mb(lim.xlsx_max_unpacked)}，疑似“压缩炸弹”。")
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError):
                raise FileRejected(f"XLSX 部件 {info.filename} 已损坏或与声明的大小不符，已拒收。") from None


def cell_text(value: Any) -> str | None:
    """A spreadsheet cell as the text a clerk typed (dates as ISO, whole numbers without “.0”)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def open_xlsx(path: Path, names: set[str], sheet: str = "") -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    check_zip(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet_names = list(workbook.sheet_names)
        if sheet:
            if sheet not in sheet_names:
                raise FileRejected(f"工作表“{sheet}”不存在；文件中的工作表有：{'、'.join(sheet_names)}。")
            ws = workbook.get_sheet_by_name(sheet)
        else:
            if not sheet_names:
                raise FileRejected("XLSX 文件中没有工作表。")
            ws = workbook.get_sheet_by_index(0)
    except CalamineError:
        raise FileRejected(XLSX_GENERAL) from None
    except Exception as e:  # calamine raises plain errors for some broken files
        if isinstance(e, FileRejected):
            raise
        raise FileRejected(XLSX_GENERAL) from None
    start_row = ws.start[0] if ws.start else 0
    rows_iter = iter(ws.iter_rows())
    head: list[list[Any]] = []
    for row in rows_iter:
        head.append(list(row))
        if len(head) >= limits().header_scan_rows:
            break
    if not head:
        raise FileRejected("工作表为空：没有表头，也没有数据行。")
    index = find_header([[cell_text(c) or "" for c in r] for r in head], names)
    header = _trim_header([cell_text(c) or "" for c in head[index]])
    _check_width(len(header))
    header_row = start_row + index + 1
    _check_merged(ws, header_row - 1, len(header))
    width = len(header)
    estimate = max(int(getattr(ws, "total_height", 0) or 0) - header_row, 0)

    def frames(chunk_size: int) -> Iterator[pl.DataFrame]:
        numbers: list[int] = []
        rows: list[list[str | None]] = []
        row_no = header_row
        for raw in head[index + 1:]:
            row_no += 1
            numbers.append(row_no)
            rows.append([cell_text(c) for c in raw[:width]])
        for raw in rows_iter:
            row_no += 1
            numbers.append(row_no)
            rows.append([cell_text(c) for c in raw[:width]])
            if len(rows) >= chunk_size:
                yield _frame_from_rows(numbers, rows, width)
                numbers, rows = [], []
        if rows:
            yield _frame_from_rows(numbers, rows, width)

    return Table("xlsx", header, header_row, estimate, frames)


def _check_merged(ws: Any, header_index: int, width: int) -> None:
    ranges = getattr(ws, "merged_cell_ranges", None) or []
    bad = []
    for rng in ranges:
        (r0, c0), (r1, c1) = rng
        if r0 <= header_index <= r1 and c0 < width:
            bad.append(f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}")
    if bad:
        raise FileRejected(f"表头（第 {header_index + 1} 行）有合并单元格 {'、'.join(bad)}：请取消合并，"
                           "让每一列都有自己的字段名后再提交。")


# --------------------------------------------------------------------------- JSON

def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise FileRejected(f"JSON 对象中字段“{k}”重复。")
        out[k] = v
    return out


def json_value_text(value: Any) -> str | None:
    if isinstance(value, list):
        return "、".join(str(cell_text(v) or "") for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return cell_text(value)


def _union_keys(objects: Iterator[tuple[int, Any]]) -> tuple[list[str], int]:
    """Every key used by any object, in order of first use (the header), and the number of objects."""
    keys: dict[str, None] = {}
    count = 0
    cap = limits().max_columns
    for number, obj in objects:
        count += 1
        if not isinstance(obj, dict):
            raise FileRejected(f"第 {number} 条不是 JSON 对象（应为 {{\"字段名\": \"值\"}}）。")
        for k in obj:
            if k not in keys:
                keys[k] = None
                if len(keys) > cap:
                    raise FileRejected(f"JSON 对象中的字段超过 {cap} 个：请只保留目录中的字段。")
    return list(keys), count


def _rows_table(fmt: str, objects: Callable[[], Iterator[tuple[int, Any]]]) -> Table:
    """JSON objects → table; the header is the union of their keys (so unknown keys are found up front)."""
    header, count = _union_keys(objects())
    if not count:
        raise FileRejected("文件为空：没有数据。")
    _check_width(len(header))
    position = {k: i for i, k in enumerate(header)}
    width = len(header)

    def frames(chunk_size: int) -> Iterator[pl.DataFrame]:
        numbers: list[int] = []
        rows: list[list[str | None]] = []
        for number, item in objects():
            row: list[str | None] = [None] * width
            for k, v in item.items():
                row[position[k]] = json_value_text(v)
            numbers.append(number)
            rows.append(row)
            if len(rows) >= chunk_size:
                yield _frame_from_rows(numbers, rows, width)
                numbers, rows = [], []
        if rows:
            yield _frame_from_rows(numbers, rows, width)

    return Table(fmt, header, 1, count, frames)


def open_jsonl(path: Path) -> Table:
    max_line = limits().max_line_bytes

    def lines() -> Iterator[tuple[int, Any]]:
        with path.open("rb") as f:
            number = 0
            while True:
                raw = f.readline(max_line + 1)
                if not raw:
                    return
                number += 1
                if len(raw) > max_line and not raw.endswith(b"\n"):
                    raise FileRejected(f"第 {number} 行长度超过 {_mb(max_line)}：不像是正常的 JSON Lines 行。")
                if number == 1:
                    raw = raw.removeprefix(codecs.BOM_UTF8)
                if not raw.strip():
                    continue
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise FileRejected(f"第 {number} 行不是 UTF-8 编码：JSON Lines 文件必须是 UTF-8。") from None
                try:
                    yield number, json.loads(text, object_pairs_hook=_object)
                except json.JSONDecodeError as e:
                    raise FileRejected(f"第 {number} 行不是有效的 JSON：{reader_message(e.msg, JSON_GENERAL)}"
                                       f"（第 {e.colno} 个字符）。") from None
                except FileRejected as e:
                    raise FileRejected(f"第 {number} 行：{e}") from None

    # The first pass reads every line, so a bad line stops the batch before anything is written.
    return _rows_table("jsonl", lines)


def open_json_array(path: Path) -> Table:
    size = path.stat().st_size
    cap = limits().json_array_max_bytes
    if size > cap:
        raise FileRejected(f"JSON 数组文件 {_mb(size)}，超过上限 {_mb(cap)}：大文件请改用 JSON Lines（每行一个对象）或 CSV。")
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"), object_pairs_hook=_object)
    except UnicodeDecodeError:
        raise FileRejected("JSON 文件必须是 UTF-8 编码。") from None
    except json.JSONDecodeError as e:
        raise FileRejected(f"不是有效的 JSON：{reader_message(e.msg, JSON_GENERAL)}"
                           f"（第 {e.lineno} 行第 {e.colno} 个字符）。") from None
    return rows_table(data)


def rows_table(data: Any) -> Table:
    """A JSON array of objects (as posted to the API) → table; row numbers count objects from 1."""
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if not isinstance(data, list):
        raise FileRejected("JSON 内容应为对象数组：[{\"字段名\": \"值\"}, …]。")
    if not data:
        raise FileRejected("JSON 数组为空：没有数据。")
    items: list[Any] = data
    return _rows_table("json", lambda: iter(enumerate(items, start=1)))


# --------------------------------------------------------------------------- entry point

def open_table(path: Path, names: set[str], *, fmt: str = "", sheet: str = "", file_name: str = "") -> Table:
    """Open any supported file; ``names`` are the accepted column names (for finding the header)."""
    fmt = fmt or sniff_format(path, file_name or path.name)
    if fmt == "csv":
        return open_csv(path, names)
    if fmt == "xlsx":
        return open_xlsx(path, names, sheet)
    if fmt == "jsonl":
        return open_jsonl(path)
    if fmt == "json":
        return open_json_array(path)
    raise FileRejected(f"不支持的文件格式：{fmt}")


def copy_upload(chunks: Iterator[bytes], dest: Path) -> tuple[str, int]:
    """Store an upload while hashing it; returns (SHA-256, size)."""
    import hashlib

    digest = hashlib.sha256()
    size = 0
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("wb") as out:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def file_digest(path: Path) -> tuple[str, int]:
    import hashlib

    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while block := f.read(BLOCK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def copy_file(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
