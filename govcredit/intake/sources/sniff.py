"""Telling the formats apart by content, and a text file's encoding, before any reader opens the file."""

from __future__ import annotations

from pathlib import Path

from govcredit.core import reading
from govcredit.core.reading import FileRejected, mb

from .common import SAMPLE, limits


def sniff_format(path: Path, name: str = "") -> str:
    """csv, xlsx, jsonl or json — by content first, the file name only to break ties."""
    size = path.stat().st_size
    cap = limits().max_file_bytes
    if size > cap:
        raise FileRejected(f"文件大小 {mb(size)}，超过上限 {mb(cap)}。")
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
    """utf-8-sig, utf-8 or gb18030, judged on the first block (``core.reading.detect_encoding``)."""
    with path.open("rb") as f:
        return reading.detect_encoding(f.read(SAMPLE))
