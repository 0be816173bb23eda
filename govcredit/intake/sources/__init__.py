"""Reading submitted files safely: CSV (UTF-8 with or without BOM, GB18030/GBK), XLSX, JSON Lines, JSON arrays.

One module per file format (:mod:`.csvfile`, :mod:`.xlsx`, :mod:`.jsonfile`), what they share in
:mod:`.common` (the limits, :class:`~.common.Table`, the header search, the readers' messages in Chinese),
telling the formats apart in :mod:`.sniff`; :func:`open_table` here picks the reader.

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

import hashlib
import shutil
from pathlib import Path

from govcredit.core.reading import FileRejected

from .common import BLOCK, PY_WHITESPACE, Limits, Table, column_letter, limits
from .csvfile import open_csv
from .jsonfile import open_json_array, open_jsonl, rows_table
from .sniff import sniff_format
from .xlsx import open_xlsx

__all__ = ["PY_WHITESPACE", "FileRejected", "Limits", "Table", "column_letter", "copy_file", "file_digest", "limits",
           "open_table", "rows_table"]


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


def file_digest(path: Path) -> tuple[str, int]:
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
