"""Matching a file's columns to the catalog version's fields, by Chinese name.

A column may be named by the field's label, its key or any alias. Names are compared folded
(:func:`govcredit.catalog.schema.fold_name`): spaces, full- and half-width brackets and punctuation,
``-`` and ``_`` do not matter. Unknown, duplicate and missing required columns are all reported
together, by name (an unknown one with the closest known column), before any row is read.

A file in an earlier edition of the national 双公示 data standard (recognised by its marker columns)
is read through the edition's mapping in ``catalog/data/editions.json``: each of its columns goes to
a catalog field, and the fields the current edition requires but the earlier one lacks are derived
per row by the mapping's rules. The derived values are extra columns the plan adds to each chunk
(:meth:`ColumnPlan.prepare`); a row whose value cannot be derived is refused with the rule, and the
record keeps which fields were derived (the ``derivations`` field).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from govcredit.catalog.schema import MULTI_SEPARATORS, clean_text, fold_name, header_map
from govcredit.catalog.services import CATALOG_FILE

from .sources import PY_WHITESPACE, FileRejected, column_letter

if TYPE_CHECKING:
    import polars as pl

EDITIONS_FILE = CATALOG_FILE.parent / "editions.json"
REQUIRED_EMPTY = "必填项为空"
#: The columns the error report adds after the file's own (see :mod:`.report`): a clerk who fixes the rows of a
#: returned report uploads it as it is, so they are known columns that no field reads.
REPORT_COLUMNS = ("错误原因", "原文件行号")
NOTE_FIELD = "derivations"  # the catalog field that keeps, per record, which fields were derived and how


@cache
def editions() -> tuple[dict[str, Any], ...]:
    """The earlier editions of the standards, as kept beside the catalog (read once per process)."""
    return tuple(json.loads(EDITIONS_FILE.read_text(encoding="utf-8"))["editions"])


class KnownNames(set[str]):
    """Folded column names; ``in`` folds the name asked about (used to find the header row)."""

    def __contains__(self, name: object) -> bool:
        return super().__contains__(fold_name(name))


@dataclass(frozen=True)
class Derived:
    """A field the file lacks, computed per row from other columns (null where the rule cannot)."""

    key: str
    expr: pl.Expr
    rule: str
    given: int | None  # the file's own column for the field, if it has one: its value wins where not blank


@dataclass(frozen=True)
class ColumnPlan:
    header: list[str]  # column names as in the file
    index: dict[str, int]  # field key → column position (positions past the header are derived columns)
    fields: list[dict[str, Any]]  # the version's field specs, in catalog order
    edition: str = ""  # the earlier edition the file is in, or "" for the current one
    derived: tuple[Derived, ...] = field(default=())

    def column_name(self, key: str) -> str:
        """How the clerk's file names the field's column (the catalog label if it has no column)."""
        pos = self.index.get(key)
        if pos is None or pos >= len(self.header):
            return next(str(f["label"]) for f in self.fields if f["key"] == key)
        return clean_text(self.header[pos])

    def missing(self, key: str) -> str:
        """Why a row has no value for a required field: empty, or the derivation rule did not apply."""
        rule = next((d.rule for d in self.derived if d.key == key), None)
        if rule is None:
            return REQUIRED_EMPTY
        return f"{self.edition}无此列，本行也无法推定（规则：{rule}）"

    def prepare(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The chunk with the derived columns added (at the positions ``index`` gives them)."""
        import polars as pl

        if not self.derived:
            return frame
        width = len(self.header)
        labels = {f["key"]: f["label"] for f in self.fields}
        exprs, notes = [], []
        for k, d in enumerate(self.derived):
            value = d.expr if d.given is None else pl.coalesce(_text(f"c{d.given}"), d.expr)
            exprs.append(value.alias(f"c{width + k}"))
            from_rule = d.expr.is_not_null() if d.given is None else _text(f"c{d.given}").is_null() & d.expr.is_not_null()
            notes.append(pl.when(from_rule).then(pl.lit(f"{labels[d.key]}：{d.rule}")))
        note = pl.concat_str(notes, separator="；", ignore_nulls=True)
        exprs.append(pl.when(note == "").then(None).otherwise(note).alias(f"c{width + len(self.derived)}"))
        return frame.with_columns(exprs)


def _text(col: str) -> pl.Expr:
    """A raw cell trimmed, blank as null."""
    import polars as pl

    text = pl.col(col).str.strip_chars(PY_WHITESPACE)
    return pl.when(text == "").then(None).otherwise(text)


def accepted_names(fields: list[dict[str, Any]]) -> KnownNames:
    """The names that mark a header row: the fields' names and every earlier edition's columns."""
    names = {fold_name(n) for n in header_map(fields)}
    names.update(fold_name(c["name"]) for e in editions() for c in e["columns"])
    return KnownNames(names)


def _edition_for(header: list[str], type_name: str) -> dict[str, Any] | None:
    folded = {fold_name(h) for h in header}
    for edition in editions():
        if edition["type"] == type_name and folded & {fold_name(m) for m in edition["markers"]}:
            return edition
    return None


def _organization_codes() -> dict[str, str]:
    """Organisation name (folded) → credit code, for names that are unique in the organisation tree."""
    from govcredit.subjects.models import Organization

    seen: dict[str, str | None] = {}
    for name, code in Organization.objects.values_list("name", "credit_code"):
        key = fold_name(name)
        seen[key] = None if key in seen else code
    return {k: v for k, v in seen.items() if v}


def _derivation(spec: dict[str, Any], source: dict[str, int]) -> pl.Expr:
    """One rule of an edition's ``derive`` list as an expression over the raw columns."""
    import polars as pl

    def src(name: str) -> pl.Expr:
        pos = source.get(fold_name(name))
        return _text(f"c{pos}") if pos is not None else pl.lit(None, dtype=pl.String)

    def any_of(names: Iterable[str]) -> pl.Expr:
        return pl.any_horizontal([src(n).is_not_null() for n in names] or [pl.lit(False)])

    values: dict[str, str] = spec.get("values", {})
    if "join" in spec:
        parts = pl.concat_list([src(n).fill_null("").str.replace_all(MULTI_SEPARATORS.pattern, "\x1f").str.split("\x1f")
                                for n in spec["join"]])
        parts = parts.list.eval(pl.element().str.strip_chars(PY_WHITESPACE)).list.eval(
            pl.element().filter(pl.element() != "").replace(values))
        joined = parts.list.join(";")
        return pl.when(joined == "").then(None).otherwise(joined)
    if "kind_from_codes" in spec:
        orgs, persons = spec["kind_from_codes"]["organization"], spec["kind_from_codes"]["person"]
        credit = src(orgs[0]).str.normalize("NFKC")
        return (pl.when(credit.str.starts_with("92")).then(pl.lit("个体工商户"))
                .when(any_of(orgs)).then(pl.lit("法人及非法人组织"))
                .when(any_of(persons)).then(pl.lit("自然人"))
                .otherwise(pl.lit(None, dtype=pl.String)))
    if "constant" in spec:
        return pl.when(src(spec["when"]).is_not_null()).then(pl.lit(spec["constant"])).otherwise(pl.lit(None, dtype=pl.String))
    if "copy" in spec:
        value = src(spec["copy"])
        if values:
            value = value.fill_null("").replace_strict(values, default=None, return_dtype=pl.String)
        return value
    if "organization_code_of" in spec:
        names = src(spec["organization_code_of"]).map_elements(fold_name, return_dtype=pl.String, skip_nulls=True)
        return names.replace_strict(_organization_codes(), default=None, return_dtype=pl.String)
    raise ValueError(f"无法识别的推定规则：{spec}")


def _closest(name: str, known: dict[str, str]) -> str:
    match = difflib.get_close_matches(fold_name(name), list(known), n=1, cutoff=0.5)
    return f"（最接近的已知列：“{known[match[0]]}”）" if match else ""


def plan_columns(header: list[str], fields: list[dict[str, Any]], *, type_name: str = "", letters: bool = True) -> ColumnPlan:
    names = {fold_name(k): spec for k, spec in header_map(fields).items()}
    edition = _edition_for(header, type_name)
    by_edition: dict[str, dict[str, Any]] = {fold_name(c["name"]): c for c in (edition or {}).get("columns", [])}
    known = {fold_name(spec["label"]): spec["label"] for spec in fields}
    known.update({k: c["name"] for k, c in by_edition.items()})
    report_names = {fold_name(c) for c in REPORT_COLUMNS} - set(names) - set(by_edition)
    index: dict[str, int] = {}
    source: dict[str, int] = {}  # the edition's columns present in the file, by folded name
    unknown: list[str] = []
    blank: list[str] = []
    duplicates: list[str] = []
    seen_names: dict[str, int] = {}
    for pos, raw in enumerate(header):
        name = fold_name(raw)  # for matching: spaces, brackets, punctuation, - and _ do not matter
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
        if name in report_names:
            continue
        spec: dict[str, Any] | None
        if name in by_edition:
            source[name] = pos
            key = by_edition[name].get("field")
            if key is None:  # read only by the derivations
                continue
            spec = next(f for f in fields if f["key"] == key)
        else:
            spec = names.get(name)
        if spec is None:
            unknown.append(f"“{shown}”{_closest(shown, known)}")
            continue
        if spec["key"] in index:
            other = clean_text(header[index[spec["key"]]])
            duplicates.append(f"“{other}”和“{shown}”都对应字段“{spec['label']}”")
            continue
        index[spec["key"]] = pos
    derived: list[Derived] = []
    if edition is not None:
        keys = {f["key"] for f in fields}
        for rule in edition["derive"]:
            if rule["field"] in keys:
                given = index.get(rule["field"])
                index[rule["field"]] = len(header) + len(derived)
                derived.append(Derived(rule["field"], _derivation(rule, source), rule["rule"], given))
        if derived and NOTE_FIELD in keys:
            index[NOTE_FIELD] = len(header) + len(derived)
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
    return ColumnPlan(header=list(header), index=index, fields=list(fields),
                      edition=edition["name"] if edition else "", derived=tuple(derived))
