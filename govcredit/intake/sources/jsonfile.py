"""JSON Lines files, JSON array files and rows posted to the API as JSON: objects → a table of their keys."""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govcredit.core.reading import FileRejected, cell_text, mb

from .common import Table, check_width, frame_from_rows, limits, reader_message

if TYPE_CHECKING:
    import polars as pl

JSON_GENERAL = "格式错误"


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
    check_width(len(header))
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
                yield frame_from_rows(numbers, rows, width)
                numbers, rows = [], []
        if rows:
            yield frame_from_rows(numbers, rows, width)

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
                    raise FileRejected(f"第 {number} 行长度超过 {mb(max_line)}：不像是正常的 JSON Lines 行。")
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
        raise FileRejected(f"JSON 数组文件 {mb(size)}，超过上限 {mb(cap)}：大文件请改用 JSON Lines（每行一个对象）或 CSV。")
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

