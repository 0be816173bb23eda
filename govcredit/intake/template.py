"""The blank import template of a record type: an XLSX a clerk fills in and uploads as it is.

Its first sheet has one column per field of the type's current catalog version, in the catalog's order
(the national 双公示 standard's order for 行政处罚 and 行政许可) under the names the intake reads;
required columns are marked with ``*`` (header matching ignores it) and in red. Single-choice columns
get a drop-down of the allowed values, codes and ID numbers are text cells (so Excel keeps their
leading zeros and trailing X), and every column shows a hint when selected. A second sheet explains
every column; a hidden third one holds the drop-downs' values.
"""

from __future__ import annotations

import io
from typing import IO, Any

from django.http import FileResponse

from govcredit.catalog.models import RecordType, RecordTypeVersion
from govcredit.core import spreadsheet

from .sources import column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: How many rows the drop-downs and text formats cover.
TEMPLATE_ROWS = 10_000
REQUIRED_MARK = "*"
TYPE_LABELS = {
    "text": "文本", "integer": "整数", "decimal": "数字", "date": "日期（如 2024-03-05）", "enum": "单选",
    "multi_enum": "多选（多个值用“；”分隔）", "credit_code": "统一社会信用代码（18 位）", "id_number": "证件号码",
}
TEXT_TYPES = {"credit_code", "id_number", "text", "enum", "multi_enum"}


def template_name(version: RecordTypeVersion) -> str:
    return f"{version.record_type.name}-导入模板-v{version.version}.xlsx"


def column_title(spec: dict[str, Any]) -> str:
    """The header of a field's column: its label, marked when the field is required."""
    return (REQUIRED_MARK if spec.get("required") else "") + str(spec["label"])


def _hint(spec: dict[str, Any]) -> str:
    parts = [TYPE_LABELS.get(spec["type"], spec["type"])]
    if spec.get("required"):
        parts.append("必填")
    if spec.get("max_length"):
        parts.append(f"不超过 {spec['max_length']} 个字")
    if spec.get("choices") and spec["type"] == "multi_enum":
        parts.append("可选：" + "、".join(spec["choices"]))
    return "；".join(parts)


def write_template(version: RecordTypeVersion, target: str | IO[bytes]) -> None:
    """Write the template of ``version`` to a path or a binary file."""
    book = spreadsheet.workbook(target)
    data = book.add_worksheet(version.record_type.name[:31])
    notes = book.add_worksheet("填写说明")
    values = book.add_worksheet("可选值")
    values.hide()
    required = book.add_format({"bold": True, "font_color": "#B71C1C", "bg_color": "#FDECEA", "border": 1})
    optional = book.add_format({"bold": True, "bg_color": "#EEF0F3", "border": 1})
    text = book.add_format({"num_format": "@"})
    choice_col = 0
    for col, spec in enumerate(version.fields):
        data.write_string(0, col, column_title(spec), required if spec.get("required") else optional)
        data.set_column(col, col, max(12, min(40, len(spec["label"]) * 2 + 2)),
                        text if spec["type"] in TEXT_TYPES else None)
        validation: dict[str, Any] = {"validate": "any", "input_title": spec["label"][:32],
                                      "input_message": _hint(spec)[:255]}
        if spec["type"] == "enum" and spec.get("choices"):
            for row, choice in enumerate(spec["choices"]):
                values.write_string(row, choice_col, choice)
            letter = column_letter(choice_col)
            validation = {**validation, "validate": "list",
                          "source": f"='可选值'!${letter}$1:${letter}${len(spec['choices'])}",
                          "error_title": "不在可选值内", "error_message": "请从下拉列表中选择。"}
            choice_col += 1
        data.data_validation(1, col, TEMPLATE_ROWS, col, validation)
    data.freeze_panes(1, 0)

    head = book.add_format({"bold": True, "bg_color": "#EEF0F3", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    notes.write_row(0, 0, ["列名", "必填", "类型", "可选值", "长度"], head)
    for row, spec in enumerate(version.fields, start=1):
        spreadsheet.write_cell(notes, row, 0, spec["label"], wrap)
        notes.write_string(row, 1, "是" if spec.get("required") else "", wrap)
        notes.write_string(row, 2, TYPE_LABELS.get(spec["type"], spec["type"]), wrap)
        spreadsheet.write_cell(notes, row, 3, "、".join(spec.get("choices", [])), wrap)
        notes.write_string(row, 4, f"不超过 {spec['max_length']} 个字" if spec.get("max_length") else "", wrap)
    last = len(version.fields) + 2
    notes.write_string(last, 0, f"{version.record_type.name}（目录第 {version.version} 版）。"
                       f"标 {REQUIRED_MARK} 的列必填；第一行是表头，从第二行起每行一条。"
                       "可以删去不用的非必填列；上传后有误的行列入错误报告，改正后可原样重新上传。")
    notes.set_column(0, 0, 30)
    notes.set_column(1, 2, 14)
    notes.set_column(3, 4, 60)
    book.close()


def template_response(record_type: RecordType) -> FileResponse:
    """The template of the type's current version as a download, for the page and the API alike."""
    version = record_type.current()
    buffer = io.BytesIO()
    write_template(version, buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=template_name(version), content_type=XLSX_TYPE)
