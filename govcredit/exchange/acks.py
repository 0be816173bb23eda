"""Acknowledgements (回执) from the national platform: which exported rows it accepted or rejected, and why.

Accepted formats (UTF-8, UTF-8 with BOM or GB18030 text; or XLSX):

* CSV / XLSX with a header row: ``文件名, 行号, 决定文书号, 处理结果, 原因`` (English ``file, row,
  decision_number, result, reason`` too). A row is matched by file name + row number (the data row number in
  the exported file, 1 = first row under the header), or else by decision number within the batch named in a
  ``批次`` column, the ``batch`` given by the caller, or the batch of the file name.
* JSON: ``{"batch": "GC000001", "results": [{"file": …, "row": …, "decision_number": …, "accepted": true,
  "reason": …}]}`` or just the list.

处理结果 may be 成功/接收/通过/1/true (accepted) or 失败/拒绝/退回/0/false (rejected). The latest answer for a
row replaces an earlier one.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from govcredit.core.errors import DomainError

from .models import ExchangeAck, ExchangeExport, ExchangeItem, ExportStatus

MAX_BYTES = 20 * 1024 * 1024
ACCEPTED = {"1", "true", "yes", "y", "ok", "accepted", "success", "是", "成功", "接收", "已接收", "通过", "入库", "正常"}
REJECTED = {"0", "false", "no", "n", "rejected", "error", "failed", "fail", "否", "失败", "拒绝", "已拒绝", "退回", "不通过",
            "异常"}
ALIASES = {
    "file": {"文件名", "文件", "file", "file_name", "filename"},
    "row": {"行号", "行", "row", "row_number", "line"},
    "decision_number": {"决定文书号", "文书号", "行政处罚决定书文号", "行政许可决定文书号", "decision_number"},
    "result": {"处理结果", "结果", "状态", "是否成功", "accepted", "result", "status"},
    "reason": {"原因", "失败原因", "拒绝原因", "说明", "reason", "message"},
    "batch": {"批次", "导出批次", "batch", "export"},
}
_BATCH_RE = re.compile(r"^(GC\d{6,})")


class AckError(DomainError, ValueError):
    """The file cannot be read at all (Chinese message; the API answers 422 about ``file``)."""

    field = "file"


@dataclass
class AckResult:
    accepted: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)
    exports: set[int] = field(default_factory=set)

    @property
    def matched(self) -> int:
        return self.accepted + self.rejected

    def summary(self) -> str:
        text = f"已导入回执 {self.matched} 条：接收 {self.accepted} 条，拒绝 {self.rejected} 条"
        if self.errors:
            text += f"；{len(self.errors)} 行无法处理"
        return text + "。"


def _canonical(name: Any) -> str | None:
    text = str(name or "").strip().lstrip("\ufeff").lower()
    for key, names in ALIASES.items():
        if text in {n.lower() for n in names}:
            return key
    return None


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AckError("无法识别文件编码（应为 UTF-8 或 GB18030）")


def _from_table(header: list[Any], rows: list[list[Any]]) -> list[dict[str, Any]]:
    keys = [_canonical(h) for h in header]
    if "result" not in keys or not ({"file", "row"} <= set(keys) or "decision_number" in keys):
        raise AckError("表头应包含“处理结果”，以及“文件名”“行号”或“决定文书号”")
    out = []
    for values in rows:
        if not any(str(v or "").strip() for v in values):
            continue
        out.append({k: v for k, v in zip(keys, values, strict=False) if k})
    return out


def parse(name: str, content: bytes) -> tuple[str | None, list[dict[str, Any]]]:
    """(batch named in the file, rows with canonical keys)."""
    if len(content) > MAX_BYTES:
        raise AckError(f"回执文件超过 {MAX_BYTES // 1024 // 1024} MB")
    lower = name.lower()
    if lower.endswith(".xlsx") or content[:2] == b"PK":
        import openpyxl  # here, not at import: the URLconf loads this module and most processes never read Excel

        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as e:  # noqa: BLE001 - any unreadable workbook is the same error for the user
            raise AckError(f"无法读取 Excel 文件：{e}") from None
        table = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        if not table:
            raise AckError("回执文件是空的")
        return None, _from_table(table[0], table[1:])
    text = _decode(content)
    if lower.endswith(".json") or text.lstrip()[:1] in ("{", "["):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            raise AckError(f"不是有效的 JSON：第 {e.lineno} 行") from None
        batch = None
        if isinstance(doc, dict):
            batch = doc.get("batch") or doc.get("批次")
            doc = doc.get("results") or doc.get("rows") or []
        if not isinstance(doc, list):
            raise AckError("JSON 应为回执数组，或含 results 数组的对象")
        rows = [{_canonical(k) or k: v for k, v in item.items()} for item in doc if isinstance(item, dict)]
        return (str(batch) if batch else None), rows
    table = list(csv.reader(io.StringIO(text)))
    if not table:
        raise AckError("回执文件是空的")
    return None, _from_table(table[0], table[1:])


def _accepted(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in ACCEPTED:
        return True
    if text in REJECTED:
        return False
    return None


def _export_for(batch: str | None) -> ExchangeExport | None:
    if not batch:
        return None
    m = _BATCH_RE.match(batch.strip().upper())
    if not m:
        return None
    return ExchangeExport.objects.filter(pk=int(m.group(1)[2:]), status=ExportStatus.SUCCEEDED).first()


def _find(row: dict[str, Any], batch: ExchangeExport | None) -> ExchangeItem | str:
    file_name = str(row.get("file") or "").strip()
    row_no = str(row.get("row") or "").strip()
    number = str(row.get("decision_number") or "").strip()
    if file_name and row_no:
        try:
            n = int(float(row_no))
        except ValueError:
            return f"行号“{row_no}”不是数字"
        item = ExchangeItem.objects.select_related("export").filter(file__name=file_name, row_number=n).first()
        if item is None:
            return f"找不到导出文件 {file_name} 的第 {n} 行"
        return item
    if not number:
        return "缺少文件名和行号，也没有决定文书号"
    export = _export_for(str(row.get("batch") or "")) or batch or _export_for(file_name)
    items = ExchangeItem.objects.select_related("export").filter(decision_number=number,
                                                                 export__status=ExportStatus.SUCCEEDED)
    if export is not None:
        items = items.filter(export=export)
    found = list(items.order_by("-id")[:2])
    if not found:
        return f"找不到决定文书号为“{number}”的导出记录"
    if len(found) > 1 and export is None:
        return f"决定文书号“{number}”在多个批次中出现，请在回执中注明批次或文件名和行号"
    return found[0]


def import_ack(name: str, content: bytes, *, actor: str, batch: str | None = None) -> AckResult:
    """Read an acknowledgement file and record the platform's answer per exported row."""
    named, rows = parse(name, content)
    default_export = _export_for(batch or named or name.rsplit("/", 1)[-1])
    result = AckResult()
    with transaction.atomic():
        for line, row in enumerate(rows, start=2):
            found = _find(row, default_export)
            if isinstance(found, str):
                result.errors.append(f"第{line}行：{found}")
                continue
            accepted = _accepted(row.get("result"))
            if accepted is None:
                result.errors.append(f"第{line}行：处理结果“{row.get('result')}”无法识别（应为 成功/失败、接收/拒绝、1/0）")
                continue
            reason = str(row.get("reason") or "").strip()[:2000]
            ExchangeAck.objects.update_or_create(item=found, defaults={
                "export": found.export, "record_id": found.record_id, "accepted": accepted, "reason": reason,
                "source": name[-200:], "imported_by": actor,
            })
            result.exports.add(found.export_id)
            if accepted:
                result.accepted += 1
            else:
                result.rejected += 1
    return result
