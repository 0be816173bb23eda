"""Reading the tables people bring (CSV and XLSX), the parts every reader needs, written once.

Intake's readers (``intake/sources/``, files of any size read in chunks) and the reports' lists
(``reports/tables.py``, candidate lists and rosters read whole) both take from here: the refusal
(:class:`FileRejected`), sizes in words (:func:`mb`), a text file's encoding (:func:`detect_encoding`),
the zip-bomb check before any spreadsheet library opens an XLSX file (:func:`check_zip`), a cell as the
text a clerk typed (:func:`cell_text`, a cell the project neutralised when writing restored through
``core.spreadsheet.restore``) and the header row among the first rows (:func:`find_header_row`).
"""

from __future__ import annotations

import codecs
import datetime as dt
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from .errors import DomainError
from .spreadsheet import restore

BLOCK = 1024**2


class FileRejected(DomainError, ValueError):
    """The file as a whole cannot be taken; the message is Chinese and says what to do (422 in the API, 400 on
    pages, with ``field`` naming the input: the file, or ``rows``/``record_type`` of a JSON submission)."""

    field = "file"


def mb(n: int) -> str:
    return f"{n / 1024**2:,.0f} MB" if n >= 1024**2 else f"{n / 1024:,.0f} KB"


def detect_encoding(head: bytes) -> str:
    """utf-8-sig, utf-8 or gb18030 (which covers GBK and GB2312), judged on the first block of a file."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for enc in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(enc)("strict").decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return enc
    raise FileRejected(_("无法识别文件编码：既不是 UTF-8，也不是 GB18030/GBK。请在 Excel 或 WPS 中另存为“CSV UTF-8”后再提交。"))


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = 10_000
    max_unpacked: int = 1024**3
    max_ratio: int = 200


def check_zip(source: Path | IO[bytes], limits: ZipLimits) -> None:
    """Refuse a zip bomb before any spreadsheet library opens the file.

    Declared sizes and ratios are checked first; then every entry is inflated as a stream (nothing
    kept) so that an entry bigger than it declares fails its size and CRC check.
    """
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        raise FileRejected(_("文件不是有效的 XLSX 文件（无法作为 ZIP 打开）：请用 Excel 或 WPS 重新保存为 .xlsx。")) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_entries:
            raise FileRejected(_("XLSX 文件内含 %(count)s 个部件，超过上限 %(max)s，疑似恶意文件。") % {
                "count": f"{len(infos):,}", "max": f"{limits.max_entries:,}"})
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
            raise FileRejected(_("文件不是有效的 XLSX 文件（缺少工作簿部件）：请用 Excel 或 WPS 重新保存为 .xlsx。"))
        total = sum(i.file_size for i in infos)
        if total > limits.max_unpacked:
            raise FileRejected(_("XLSX 文件解压后有 %(size)s，超过上限 %(max)s，疑似“压缩炸弹”：请拆分文件或改用 CSV 提交。")
                               % {"size": mb(total), "max": mb(limits.max_unpacked)})
        for info in infos:
            if info.file_size > 1024**2 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise FileRejected(_("XLSX 部件 %(name)s 的压缩比异常（%(ratio)s 倍），疑似“压缩炸弹”，已拒收。") % {
                    "name": info.filename, "ratio": f"{info.file_size // max(info.compress_size, 1):,}"})
        unpacked = 0
        for info in infos:
            try:
                with zf.open(info) as member:
                    while chunk := member.read(BLOCK):
                        unpacked += len(chunk)
                        if unpacked > limits.max_unpacked:
                            raise FileRejected(_("XLSX 文件解压后超过上限 %(max)s，疑似“压缩炸弹”。") % {
                                "max": mb(limits.max_unpacked)})
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError):
                raise FileRejected(_("XLSX 部件 %(name)s 已损坏或与声明的大小不符，已拒收。") % {"name": info.filename}) from None


def cell_text(value: Any) -> str | None:
    """A spreadsheet cell as the text a clerk typed (dates as ISO, whole numbers without “.0”); ``None`` for
    an empty cell. Text is returned as it is: a reader restores neutralised cells (:func:`restored_text`)."""
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


def restored_text(value: Any) -> str:
    """A cell as stripped text, a cell the project neutralised when writing a spreadsheet restored."""
    return restore(cell_text(value) or "").strip()


def find_header_row(rows: list[list[str]], is_column: Callable[[str], bool]) -> int:
    """Index of the row with the most cells that name a known column (a title row above it is skipped),
    or -1 when no row names one."""
    best, best_hits = -1, 0
    for i, row in enumerate(rows):
        hits = sum(1 for cell in row if cell and is_column(cell))
        if hits > best_hits:
            best, best_hits = i, hits
    return best
