"""Matching a file's columns to the catalog version's fields, by Chinese name.

A column may be named by the field's label, its key or any alias (the national 双公示 standard's
names are aliases in the catalog); full-width characters and surrounding spaces do not matter.
Unknown, duplicate and missing required columns are all reported together, by name, before any
row is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govcredit.catalog.schema import clean_text, header_map

from .sources import FileRejected, column_letter


@dataclass(frozen=True)
class ColumnPlan:
    header: list[str]  # column names as in the file
    index: dict[str, int]  # field key → column position
    fields: list[dict[str, Any]]  # the version's field specs, in catalog order

    def column_name(self, key: str) -> str:
        """How the clerk's file names the field's column (the catalog label if it has no column)."""
        pos = self.index.get(key)
        if pos is None:
            return next(f["label"] for f in self.fields if f["key"] == key)
        return clean_text(self.header[pos])


def accepted_names(fields: list[dict[str, Any]]) -> set[str]:
    return set(header_map(fields))


def plan_columns(header: list[str], fields: list[dict[str, Any]], *, type_name: str = "", letters: bool = True) -> ColumnPlan:
    names = header_map(fields)
    index: dict[str, int] = {}
    unknown: list[str] = []
    blank: list[str] = []
    duplicates: list[str] = []
    seen_names: dict[str, int] = {}
    for pos, raw in enumerate(header):
        name = clean_text(raw, fold=True)  # for matching: full-width brackets and spaces do not matter
        shown = clean_text(raw)  # for messages: as the clerk wrote it
        where = f"{column_letter(pos)} 列" if letters else f"第 {pos + 1} 列"
        if not name:
            blank.append(where)
            continue
        if name in seen_names:
            first = seen_names[name]
            duplicates.append(f"“{shown}”出现了两次（{column_letter(first) if letters else first + 1} 列和 "
                              f"{column_letter(pos) if letters else pos + 1} 列）")
            continue
        seen_names[name] = pos
        spec = names.get(raw) or names.get(name)
        if spec is None:
            unknown.append(f"“{shown}”")
            continue
        if spec["key"] in index:
            other = clean_text(header[index[spec["key"]]])
            duplicates.append(f"“{other}”和“{shown}”都对应字段“{spec['label']}”")
            continue
        index[spec["key"]] = pos
    missing = [f"“{f['label']}”" for f in fields if f.get("required") and f["key"] not in index]
    problems = []
    if blank:
        problems.append(f"没有列名的列：{'、'.join(blank)}")
    if unknown:
        where = f"目录“{type_name}”中" if type_name else "目录中"
        problems.append(f"未知的列（{where}没有这些字段）：{'、'.join(unknown)}")
    if duplicates:
        problems.append(f"重复的列：{'；'.join(duplicates)}")
    if missing:
        problems.append(f"缺少必填列：{'、'.join(missing)}")
    if problems:
        raise FileRejected("表头有误，整个文件未处理。" + "；".join(problems) + "。")
    return ColumnPlan(header=list(header), index=index, fields=list(fields))
