"""Vectorised row validation against a catalog version (the same rules as ``catalog.schema.validate``
and ``archive.services.build_record``, applied to a whole chunk at once with Polars expressions).

Every rule is an expression over a column. Where a rule has a fiddly edge (dates, amounts, integers,
identifier check characters) the expression accepts only values it is sure of; the few values it
does not accept are handed to the catalog's own Python validator, which has the last word and writes
the message. So the vectorised path can never accept what the catalog would refuse, and refused
values get exactly the catalog's Chinese message, prefixed with the column's name as in the file.

The result keeps the input columns and adds ``v_<key>`` (the cleaned value per field) and ``_err``
(null for a good row, else “列名：规则说明；…”).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from govcredit.catalog import schema
from govcredit.core import clock
from govcredit.subjects.identifiers import (
    CREDIT_CODE_CHARSET,
    ORG_CATEGORY_CODES,
    PROVINCE_CODES,
)

from .columns import ColumnPlan
from .sources import PY_WHITESPACE

ERR = "_err"
MULTI_SEP = r"[;；,，、/]"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_CREDIT_RE = "^[" + CREDIT_CODE_CHARSET + "]{18}$"
_DATE_RE = r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?(?:[ T].*)?$"
_COMPACT_RE = r"^([0-9]{4})([0-9]{2})([0-9]{2})$"
_SERIAL_RE = r"^[0-9]{5}(\.[0-9]+)?$"
# Few enough integer digits and places to be below the limit and stored unrounded: the catalog takes it as is.
_INT_DIGITS, _PLACES = schema.DECIMAL_INTEGER_DIGITS, schema.DECIMAL_PLACES
_DECIMAL_RE = rf"^\+?([0-9]{{1,{_INT_DIGITS}}}(\.[0-9]{{0,{_PLACES}}})?|\.[0-9]{{1,{_PLACES}}})$"
_INTEGER_RE = r"^-?[0-9]{1,15}(\.0+)?$"
FALLBACK_TYPES = {"date", "decimal", "integer", "credit_code", "id_number"}


def value_col(key: str) -> str:
    return f"v_{key}"


def china_today() -> dt.date:
    return clock.today()


#: Field types whose values are folded (full-width → half-width, NFKC) before checking, as in catalog.schema.
FOLDED_TYPES = {"integer", "credit_code", "id_number", "date", "decimal"}


def clean_expr(col: str, *, fold: bool) -> pl.Expr:
    """``catalog.schema.clean_text`` as an expression: trimmed (and, with ``fold``, NFKC), blank → null."""
    text = pl.col(col).str.strip_chars(PY_WHITESPACE)
    if fold:  # ASCII text is its own NFKC form: only other values are normalised (most codes and dates are ASCII)
        ascii_only = text.str.len_bytes() == text.str.len_chars()
        text = pl.when(ascii_only).then(text).otherwise(text.str.normalize("NFKC").str.strip_chars(PY_WHITESPACE))
    return pl.when(text == "").then(None).otherwise(text)


def _normalise_identifier(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all(r"\s+", "").str.to_uppercase()


def credit_code_ok(expr: pl.Expr) -> pl.Expr:
    """True where the (normalised) value is a valid 统一社会信用代码 per GB 32100-2015."""
    mapping = {ch: i for i, ch in enumerate(CREDIT_CODE_CHARSET)}
    total = pl.sum_horizontal([
        expr.str.slice(i, 1).replace_strict(mapping, default=0, return_dtype=pl.Int64) * w
        for i, w in enumerate(_CREDIT_WEIGHTS)
    ])
    check = ((31 - total % 31) % 31).replace_strict(dict(enumerate(CREDIT_CODE_CHARSET)), return_dtype=pl.String)
    region = expr.str.slice(2, 6)
    return (
        expr.str.contains(_CREDIT_RE)
        & expr.str.slice(0, 2).is_in(list(ORG_CATEGORY_CODES))
        & region.str.contains(r"^[0-9]{6}$")
        & (region != "000000")
        & expr.str.slice(2, 2).is_in([*PROVINCE_CODES, "10"])
        & (expr.str.slice(17, 1) == check)
    ).fill_null(False)


def id_number_ok(expr: pl.Expr, today: dt.date) -> pl.Expr:
    """True where the (normalised) value is a valid 18-digit 身份证号 per GB 11643-1999."""
    total = pl.sum_horizontal([
        expr.str.slice(i, 1).cast(pl.Int64, strict=False).fill_null(0) * w for i, w in enumerate(_ID_WEIGHTS)
    ])
    check = (total % 11).replace_strict(dict(enumerate(_ID_CHECK)), return_dtype=pl.String)
    birth = expr.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    return (
        expr.str.contains(r"^[0-9]{17}[0-9X]$")
        & expr.str.slice(0, 2).is_in(list(PROVINCE_CODES))
        & (expr.str.slice(0, 6) != "000000")
        & birth.is_not_null()
        & (birth.dt.year() >= 1900)
        & (birth <= pl.lit(today))
        & (expr.str.slice(17, 1) == check)
    ).fill_null(False)


def date_expr(expr: pl.Expr) -> pl.Expr:
    """The dates ``catalog.schema.parse_date`` reads, where the expression is sure; else null."""
    full = expr.str.extract_groups(_DATE_RE)
    compact = expr.str.extract_groups(_COMPACT_RE)
    year = pl.coalesce(full.struct.field("1"), compact.struct.field("1"))
    month = pl.coalesce(full.struct.field("2"), compact.struct.field("2")).str.zfill(2)
    day = pl.coalesce(full.struct.field("3"), compact.struct.field("3")).str.zfill(2)
    ymd = pl.concat_str([year, month, day], separator="-").str.to_date("%Y-%m-%d", strict=False)
    serial_days = (pl.when(expr.str.contains(_SERIAL_RE)).then(expr).otherwise(None)
                   .cast(pl.Float64, strict=False).floor().cast(pl.Int64))
    serial = pl.when(serial_days >= 1).then(pl.lit(schema.EXCEL_EPOCH) + pl.duration(days=serial_days)).otherwise(None)
    value = pl.coalesce(ymd, serial.cast(pl.Date))
    return pl.when(value.is_between(pl.lit(schema.DATE_MIN), pl.lit(schema.DATE_MAX))).then(value).otherwise(None)


class RowValidator:
    """Validates chunks of one file against one catalog version."""

    def __init__(self, plan: ColumnPlan, *, today: dt.date | None = None) -> None:
        self.plan = plan
        self.fields = plan.fields
        self.today = today or china_today()
        self.specs = {f["key"]: f for f in self.fields}

    def name(self, key: str) -> str:
        return self.plan.column_name(key)

    # -- per field ---------------------------------------------------------------------------

    def _field(self, spec: dict[str, Any]) -> tuple[pl.Expr, pl.Expr | None, pl.Expr | None]:
        """(value, error, vector-ok) expressions for one field present in the file."""
        key, kind = spec["key"], spec["type"]
        col = f"t_{key}"
        v = pl.col(col)
        name = self.name(key)
        if kind == "text":
            limit = schema.max_length(spec)
            err = (pl.when(v.str.len_chars() > limit).then(pl.lit(f"{name}：长度超过 {limit} 个字符")).otherwise(None)
                   if limit else None)
            return v, err, None
        if kind == "enum":
            choices = list(spec["choices"])
            err = (pl.when(v.is_not_null() & ~v.is_in(choices))
                   .then(pl.concat_str([pl.lit(f"{name}：“"), v, pl.lit(f"”不在可选值内（{'、'.join(choices)}）")]))
                   .otherwise(None))
            return v, err, None
        if kind == "multi_enum":
            choices = list(spec["choices"])
            parts = (v.str.replace_all(MULTI_SEP, "\x1f").str.split("\x1f")
                     .list.eval(pl.element().str.strip_chars(PY_WHITESPACE))
                     .list.eval(pl.element().filter(pl.element() != "")))
            bad = parts.list.eval(pl.element().filter(~pl.element().is_in(choices)))
            err = (pl.when(bad.list.len() > 0)
                   .then(pl.concat_str([pl.lit(f"{name}：“"), bad.list.join("、"),
                                        pl.lit(f"”不在可选值内（{'、'.join(choices)}）")]))
                   .otherwise(None))
            return parts, err, None
        if kind == "credit_code":
            n = _normalise_identifier(v)
            return n, None, credit_code_ok(n)
        if kind == "id_number":
            n = _normalise_identifier(v)
            return n, None, id_number_ok(n, self.today)
        if kind == "date":
            d = date_expr(v)
            return d, None, d.is_not_null()
        if kind == "decimal":
            t = v.str.replace_all(",", "", literal=True)
            return t, None, t.str.contains(_DECIMAL_RE).fill_null(False)
        if kind == "integer":
            ok = v.str.contains(_INTEGER_RE).fill_null(False)
            return v.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False), None, ok
        raise ValueError(f"未知字段类型 {kind}")

    def _by_unique(self, frame: pl.DataFrame, spec: dict[str, Any], value: pl.Expr, ok: pl.Expr) -> pl.DataFrame:
        key = spec["key"]
        tcol = f"t_{key}"
        distinct = frame.select(pl.col(tcol).unique().drop_nulls()).with_columns(
            value.alias(value_col(key)), ok.alias(f"ok_{key}"))
        return frame.join(distinct, on=tcol, how="left", maintain_order="left").with_columns(
            pl.col(f"ok_{key}").fill_null(False))

    def _fallback(self, frame: pl.DataFrame, spec: dict[str, Any]) -> pl.DataFrame:
        """Values the expressions did not accept: the catalog's own validator decides and explains."""
        key = spec["key"]
        vcol, okcol, tcol, ecol = value_col(key), f"ok_{key}", f"t_{key}", f"e_{key}"
        need = frame.select((pl.col(tcol).is_not_null() & ~pl.col(okcol)).arg_true()).to_series().to_list()
        if not need:
            return frame.with_columns(pl.when(pl.col(okcol)).then(pl.col(vcol)).otherwise(None).alias(vcol),
                                      pl.lit(None, dtype=pl.String).alias(ecol))
        values = frame[vcol].to_list()
        errors: list[str | None] = [None] * frame.height
        texts = frame[tcol].to_list()
        name = self.name(key)
        for i in need:
            cleaned = schema.validate([spec], {key: texts[i]})
            if cleaned.ok:
                value = cleaned.values[key]
                values[i] = str(value) if spec["type"] == "decimal" else value
            else:
                values[i] = None
                errors[i] = f"{name}：{cleaned.errors[spec['label']]}"
        dtype = frame.schema[vcol]
        return frame.with_columns(pl.Series(vcol, values, dtype=dtype), pl.Series(ecol, errors, dtype=pl.String))

    # -- the chunk ---------------------------------------------------------------------------

    def validate(self, frame: pl.DataFrame) -> pl.DataFrame:
        frame = self.plan.prepare(frame)  # an earlier edition's derived columns
        present = [f for f in self.fields if f["key"] in self.plan.index]
        frame = frame.with_columns([clean_expr(f"c{self.plan.index[f['key']]}", fold=f["type"] in FOLDED_TYPES)
                                    .alias(f"t_{f['key']}") for f in present])
        values: list[pl.Expr] = []
        errors: list[pl.Expr] = []
        fallback: list[tuple[dict[str, Any], pl.Expr, pl.Expr]] = []
        for spec in present:
            key = spec["key"]
            value, err, ok = self._field(spec)
            if ok is not None:  # evaluated once per distinct value (codes and dates repeat a lot)
                fallback.append((spec, value, ok))
            else:
                values.append(value.alias(value_col(key)))
            if spec.get("required"):
                errors.append(pl.when(pl.col(f"t_{key}").is_null())
                              .then(pl.lit(f"{self.name(key)}：{self.plan.missing(key)}")).otherwise(None))
            if err is not None:
                errors.append(err)
        frame = frame.with_columns(values)
        for spec, value, ok in fallback:
            frame = self._by_unique(frame, spec, value, ok)
            frame = self._fallback(frame, spec)
            errors.append(pl.col(f"e_{spec['key']}"))
        for spec in self.fields:  # absent columns: the value is simply missing
            if spec["key"] not in self.plan.index:
                dtypes: dict[str, pl.DataType] = {"multi_enum": pl.List(pl.String), "date": pl.Date(), "integer": pl.Int64()}
                dtype = dtypes.get(spec["type"], pl.String())
                frame = frame.with_columns(pl.lit(None, dtype=dtype).alias(value_col(spec["key"])))
                if spec.get("required"):
                    errors.append(pl.lit(f"{spec['label']}：必填项为空"))
        errors.extend(self._cross_field())
        joined = pl.concat_str(errors, separator="；", ignore_nulls=True) if errors else pl.lit(None, dtype=pl.String)
        frame = frame.with_columns(pl.when(joined == "").then(None).otherwise(joined).alias(ERR))
        drop = [c for c in frame.columns if c.startswith(("t_", "ok_", "e_"))]
        return frame.drop(drop)

    def _cross_field(self) -> list[pl.Expr]:
        """The record-level rules of ``archive.services.build_record``."""
        out: list[pl.Expr] = []
        v = value_col
        if "counterparty_kind" in self.specs and "counterparty_code" in self.specs:
            out.append(pl.when((pl.col(v("counterparty_kind")) == "自然人") & pl.col(v("counterparty_code")).is_not_null())
                       .then(pl.lit(f"{self.name('counterparty_code')}：自然人不应填写统一社会信用代码")).otherwise(None))
        if "decision_date" in self.specs and self.specs["decision_date"]["type"] == "date":
            dd = pl.col(v("decision_date"))
            out.append(pl.when(dd > pl.lit(self.today))
                       .then(pl.concat_str([pl.lit(f"{self.name('decision_date')}：决定日期 "), dd.dt.to_string("%Y-%m-%d"),
                                            pl.lit(" 晚于今天")])).otherwise(None))
            if "publicity_end" in self.specs and self.specs["publicity_end"]["type"] == "date":
                pe = pl.col(v("publicity_end"))
                out.append(pl.when(pe < dd).then(pl.concat_str([
                    pl.lit(f"{self.name('publicity_end')}：公示截止期 "), pe.dt.to_string("%Y-%m-%d"),
                    pl.lit(" 早于决定日期 "), dd.dt.to_string("%Y-%m-%d")])).otherwise(None))
        if "counterparty_name" in self.specs and not self.specs["counterparty_name"].get("required"):
            out.append(pl.when(pl.col(v("counterparty_name")).is_null())
                       .then(pl.lit("请指定信用主体（单位、公务员或行政相对人）")).otherwise(None))
        return out
