"""CSV files: the whole file checked in blocks (encoding, NUL bytes, line length), then read by Polars in chunks."""

from __future__ import annotations

import codecs
import csv
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from govcredit.core.reading import FileRejected, mb

from .common import BLOCK, ROW_COL, Table, check_width, find_header, limits, reader_message, trim_header
from .sniff import detect_encoding

if TYPE_CHECKING:
    import polars as pl

CSV_GENERAL = "文件无法按 CSV 读取（常见原因：英文双引号不配对、文件被截断、分隔符不是英文逗号）"


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
            first = block.find(b"\n")
            if first < 0:
                current += len(block)
            else:
                if current + first > max_line:
                    raise _long_line(line_no, max_line)
                if len(block) > max_line:  # a line between two of the block's newlines may be too long
                    for offset, part in enumerate(block.split(b"\n")[1:-1], start=1):
                        if len(part) > max_line:
                            raise _long_line(line_no + offset, max_line)
                current = len(block) - block.rfind(b"\n") - 1
                line_no += block.count(b"\n")
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
    return FileRejected(f"第 {line_no} 行长度超过 {mb(max_line)}：不像是正常的表格行（可能缺少换行或不是 CSV 文件）。")


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
    import polars as pl

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
                lines = _scan_text(path, encoding, out)
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
        header = trim_header(rows[index])
        check_width(len(header))
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

