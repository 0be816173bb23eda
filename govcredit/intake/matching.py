"""Matching a chunk's rows: checked, de-duplicated within the file, given their issuing organisation, and
matched to existing records by type + decision number + counterparty (code, else name).

:meth:`Matcher.classify` sorts a chunk's rows into an :class:`Outcome`: new records, corrections of
records in the batch organisation's scope, rows identical to their stored record (未变化, nothing
written) and rejected rows with their reasons. It reads the database (the existing records) but
never writes; :mod:`.writer` commits the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl
from django.db import connection

from . import records
from .columns import ColumnPlan
from .models import ImportBatch
from .records import KEY, OrgIndex, RecordBuilder
from .resubmission import EarlierRun, updated_micros
from .validate import ERR, RowValidator, value_col

if TYPE_CHECKING:
    from .writer import Draft, NewRecords


@dataclass
class Outcome:
    first_row: int
    last_row: int
    rows: int
    creates: pl.DataFrame | None = None
    updates: pl.DataFrame | None = None
    unchanged: int = 0
    rejected: list[list[Any]] = field(default_factory=list)  # [row, [values as sent], reason]
    draft: Draft | None = None  # the creates' ciphers and state texts, made ahead of the transaction
    new: NewRecords | None = None  # or all of them but the writing, where ids can be taken ahead too
    #: (row, record id, record updated_at µs) of rows found unchanged; created rows are added on commit
    outcomes: list[tuple[int, int, int]] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return 0 if self.creates is None else self.creates.height

    @property
    def updated(self) -> int:
        return 0 if self.updates is None else self.updates.height


class Matcher:
    """Classifies a batch's chunks in file order; remembers the keys seen so far (duplicates within the file)."""

    def __init__(self, batch: ImportBatch, plan: ColumnPlan) -> None:
        self.batch = batch
        self.plan = plan
        self.version = batch.type_version
        self.validator = RowValidator(plan)
        self.builder = RecordBuilder(self.version)
        self.orgs = OrgIndex.load()
        self.root = batch.org_id
        self.width = len(plan.header)
        self.seen = pl.DataFrame(schema={KEY: pl.String, "_first": pl.Int64})
        self.source_col = value_col("source_org_code") if "source_org_code" in plan.index else None
        self.earlier = EarlierRun.find(batch)

    def classify(self, frame: pl.DataFrame) -> Outcome:
        rows = frame["_row"]
        out = Outcome(first_row=int(rows.min()), last_row=int(rows.max()), rows=frame.height)  # type: ignore[arg-type]
        if self.earlier is not None:
            frame = self._passed_over(frame, out)
            if not frame.height:
                return out
        checked = self.validator.validate(frame)
        raw_cols = [f"c{i}" for i in range(self.width)]
        reasons: dict[int, str] = {}
        for row_no, err in checked.filter(pl.col(ERR).is_not_null()).select("_row", ERR).iter_rows():
            reasons[row_no] = err
        good = checked.filter(pl.col(ERR).is_null()).with_columns(self.builder.key_expr())
        good = self._duplicates(good, reasons)
        good = self._row_org(good, reasons)
        recs = self.builder.frame(good, batch_id=self.batch.pk)
        if recs.height:
            recs = self._match(recs, reasons, out)
        else:
            out.creates = recs
        if reasons:
            sent = checked.filter(pl.col("_row").is_in(list(reasons))).select("_row", *raw_cols)
            out.rejected = [[r[0], list(r[1:]), reasons[r[0]]] for r in sent.iter_rows()]
            out.rejected.sort(key=lambda r: r[0])
        return out

    def _passed_over(self, frame: pl.DataFrame, out: Outcome) -> pl.DataFrame:
        """Count the rows an earlier run of this file left unchanged (see :mod:`.resubmission`); the rest."""
        assert self.earlier is not None
        same = self.earlier.unchanged_rows(out.first_row, out.last_row)
        same = same.join(frame.select("_row"), on="_row", how="semi")
        if not same.height:
            return frame
        out.unchanged += same.height
        out.outcomes.extend(same.select("_row", "record_id", "updated").iter_rows())
        self.seen = pl.concat([self.seen, same.select(pl.col("key").alias(KEY), pl.col("_row").alias("_first"))],
                              rechunk=False)
        return frame.join(same.select("_row"), on="_row", how="anti")

    def _duplicates(self, good: pl.DataFrame, reasons: dict[int, str]) -> pl.DataFrame:
        if not good.height:
            return good
        good = good.with_columns(pl.col("_row").min().over(KEY).alias("_first"))
        inner = good.filter(pl.col("_row") != pl.col("_first"))
        for row_no, first in inner.select("_row", "_first").iter_rows():
            reasons[row_no] = f"与第 {first} 行的决定文书号和行政相对人相同（文件内重复）"
        good = good.filter(pl.col("_row") == pl.col("_first")).drop("_first")
        if self.seen.height:
            earlier = good.join(self.seen, on=KEY, how="inner")
            for row_no, first in earlier.select("_row", "_first").iter_rows():
                reasons[row_no] = f"与第 {first} 行的决定文书号和行政相对人相同（文件内重复）"
            good = good.join(self.seen, on=KEY, how="anti")
        self.seen = pl.concat([self.seen, good.select(KEY, pl.col("_row").alias("_first"))], rechunk=False)
        return good

    def _row_org(self, good: pl.DataFrame, reasons: dict[int, str]) -> pl.DataFrame:
        """The issuing organisation: the batch's, or the row's 数据来源单位 if it is registered and in scope."""
        org_ids: list[int] = [self.root] * good.height
        if self.source_col is not None and good.height:
            name = self.plan.column_name("source_org_code")
            root_name = self.orgs.by_id[self.root][1]
            for i, (row_no, code) in enumerate(good.select("_row", self.source_col).iter_rows()):
                if not code:
                    continue
                org_id = self.orgs.by_code.get(code)
                if org_id is None:
                    continue
                if not self.orgs.in_scope(org_id, self.root):
                    reasons[row_no] = (f"{name}：{code}（{self.orgs.by_id[org_id][1]}）不在“{root_name}”及其下级单位范围内，"
                                       "不能以其名义报送")
                else:
                    org_ids[i] = org_id
        good = good.with_columns(pl.Series("issuing_org_id", org_ids, dtype=pl.Int64))
        return good.filter(~pl.col("_row").is_in(list(reasons))) if reasons else good

    def _match(self, recs: pl.DataFrame, reasons: dict[int, str], out: Outcome) -> pl.DataFrame:
        numbers = recs["decision_number"].unique().to_list()
        existing = records.fetch_existing(self.version.record_type_id, numbers)
        if not existing.height:
            out.creates = recs
            return recs
        ex = existing.sort("x_id")
        by_code = (ex.filter(pl.col("x_counterparty_code") != "").unique(["x_decision_number", "x_counterparty_code"],
                                                                           keep="first", maintain_order=True)
                   .select(pl.col("x_decision_number").alias("decision_number"),
                           pl.col("x_counterparty_code").alias("_code"), pl.col("x_id").alias("_by_code")))
        by_name = (ex.unique(["x_decision_number", "x_counterparty_name"], keep="first", maintain_order=True)
                   .select(pl.col("x_decision_number").alias("decision_number"),
                           pl.col("x_counterparty_name").alias("counterparty_name"), pl.col("x_id").alias("_by_name")))
        recs = (recs.with_columns(pl.when(pl.col("counterparty_code") != "").then(pl.col("counterparty_code"))
                                  .otherwise(None).alias("_code"))
                .join(by_code, on=["decision_number", "_code"], how="left", maintain_order="left")
                .join(by_name, on=["decision_number", "counterparty_name"], how="left", maintain_order="left")
                .with_columns(pl.coalesce("_by_code", "_by_name").alias("x_id"))
                .drop("_code", "_by_code", "_by_name"))
        creates = recs.filter(pl.col("x_id").is_null()).drop("x_id")
        matched = recs.filter(pl.col("x_id").is_not_null())
        if matched.height:
            matched = matched.with_columns(pl.col("_row").min().over("x_id").alias("_first"))
            for row_no, first in matched.filter(pl.col("_row") != pl.col("_first")).select("_row", "_first").iter_rows():
                reasons[row_no] = f"与第 {first} 行对应同一条已有记录（文件内重复）"
            matched = matched.filter(pl.col("_row") == pl.col("_first")).drop("_first").join(existing, on="x_id",
                                                                                              maintain_order="left")
            matched = self._compare(matched, reasons, out)
        out.creates = creates
        return recs

    def _compare(self, matched: pl.DataFrame, reasons: dict[int, str], out: Outcome) -> pl.DataFrame:
        scope = [self.orgs.in_scope(int(o), self.root) if o is not None else False
                 for o in matched["x_issuing_org_id"].cast(pl.Int64, strict=False).to_list()]
        matched = matched.with_columns(pl.Series("_scope", scope, dtype=pl.Boolean))
        data = self.builder.data_pg_expr() if connection.vendor == "postgresql" else pl.col("_data_db")
        matched = matched.with_columns((records.compare_text() == pl.col("x_cmp")).fill_null(False).alias("_same_cols"),
                                       (data == pl.col("x_data")).fill_null(False).alias("_same_data"))
        unsure = matched.filter(pl.col("_same_cols") & ~pl.col("_same_data"))
        if unsure.height:  # stored JSON written in another key order or spacing: compare as objects
            eq = records.data_equal(unsure["_data_canon"].to_list(), unsure["x_data"].to_list())
            fixed = unsure.select("_row").with_columns(pl.Series("_eq", eq, dtype=pl.Boolean))
            matched = (matched.join(fixed, on="_row", how="left", maintain_order="left")
                       .with_columns((pl.col("_same_data") | pl.col("_eq").fill_null(False)).alias("_same_data"))
                       .drop("_eq"))
        matched = matched.with_columns((pl.col("_same_cols") & pl.col("_same_data")).alias("_same"))
        for row_no, org_id, number in matched.filter(~pl.col("_scope")).select("_row", "x_issuing_org_id",
                                                                               "decision_number").iter_rows():
            holder = self.orgs.by_id.get(int(org_id), ("", "其他单位", ""))[1] if org_id is not None else "其他单位"
            reasons[row_no] = f"决定文书号“{number}”的这条记录由“{holder}”报送，不在本单位范围内，不能更正"
        matched = matched.filter(pl.col("_scope"))
        same = matched.filter(pl.col("_same"))
        out.unchanged += same.height
        out.outcomes.extend(zip(same["_row"].to_list(), same["x_id"].to_list(),
                                updated_micros(same["x_updated"].to_list()), strict=True))
        changed = matched.filter(~pl.col("_same"))
        final = changed.filter(pl.col("x_status").is_in([str(s) for s in records.FINAL]))
        for row_no, status in final.select("_row", "x_status").iter_rows():
            reasons[row_no] = f"该记录状态为“{status}”，不能通过归集更正"
        out.updates = changed.filter(~pl.col("x_status").is_in([str(s) for s in records.FINAL]))
        return matched
