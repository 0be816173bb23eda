"""From validated rows to archive records: matching, comparing, building and writing them in bulk.

Rows become ``archive.CreditRecord`` rows exactly as ``archive.services.build_record`` would make
them (same columns, same ``data`` dict, same severity derivation and publicity window). They are
written with one multi-row statement per chunk (``COPY`` on PostgreSQL, ``executemany`` on SQLite)
and committed to the ledger through the chunk's Merkle root (see :mod:`govcredit.intake.integrity`);
records a row corrects go through ``ledger.services.update_with_entries`` with one entry each.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl
from django.db import connection, models

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.catalog.models import RecordTypeVersion
from govcredit.catalog.services import SEVERITY_GIVEN, derive_severity
from govcredit.core import crypto
from govcredit.ledger.hashing import digest_instance, digest_text, micros
from govcredit.subjects.identifiers import mask_id_number

from .validate import value_col

SIX_PLACES = Decimal("0.000001")
#: The archive columns that hold a person's ID number: each stored as ``<column>_cipher``, ``_index`` and ``_masked``.
IDENTITY_COLUMNS = ("counterparty_id", "legal_rep_id")
KEY = "_key"
ESC_RE = r'[\x00-\x1f"\\]'
FINAL = {RecordStatus.REVOKED, RecordStatus.REPAIRED}

#: Columns compared to decide whether a matched record is unchanged (status, batch and times are not content).
COMPARED = ("issuing_org_id", "counterparty_name", "counterparty_kind", "counterparty_code", "counterparty_id_index",
            "legal_representative", "legal_rep_id_index", "decision_number", "decision_date", "authority_name", "facts", "legal_basis",
            "result", "amount", "severity", "publicity_start", "publicity_end")
#: Columns a correction rewrites (the cipher only when the ID number itself changed).
UPDATED = (*COMPARED, "counterparty_id_cipher", "counterparty_id_masked", "legal_rep_id_cipher", "legal_rep_id_masked", "data", "type_version_id", "batch_id",
           "updated_at")


def concrete_fields() -> list[models.Field[Any, Any]]:
    return list(CreditRecord._meta.concrete_fields)


def quantize(text: str | None) -> str | None:
    if text is None:
        return None
    return str(Decimal(text).quantize(SIX_PLACES, rounding=ROUND_HALF_UP))


def _json_str(expr: pl.Expr) -> pl.Expr:
    """A JSON string literal, for values known to need no escaping."""
    return pl.concat_str([pl.lit('"'), expr, pl.lit('"')])


@dataclass
class OrgIndex:
    """Organisations by id and by credit code, with their subtree paths (for submitter scope)."""

    by_id: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # id → (code, name, path)
    by_code: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls) -> OrgIndex:
        from govcredit.subjects.models import Organization

        out = cls()
        for pk, code, name, path in Organization.objects.values_list("id", "credit_code", "name", "path"):
            out.by_id[pk] = (code, name, path)
            out.by_code[code] = pk
        return out

    def in_scope(self, org_id: int, root_id: int) -> bool:
        return self.by_id[org_id][2].startswith(self.by_id[root_id][2])


class RecordBuilder:
    """Turns validated rows (``v_<key>`` columns) into CreditRecord column values for one version."""

    def __init__(self, version: RecordTypeVersion) -> None:
        self.version = version
        self.fields = list(version.fields)
        self.model_fields = {f.attname: f for f in concrete_fields()}
        self.column_specs = {spec["column"]: spec for spec in self.fields if spec.get("column")}
        self.data_specs = [spec for spec in self.fields if not spec.get("column")]
        self.default_severity = version.severities[0]["name"]

    # -- the columns -------------------------------------------------------------------------

    def frame(self, good: pl.DataFrame, *, batch_id: int | None) -> pl.DataFrame:
        """One column per CreditRecord attribute (except id and the times), plus ``_data_db`` and ``_data_canon``."""
        exprs: list[pl.Expr] = []
        for column, spec in self.column_specs.items():
            if column in IDENTITY_COLUMNS:
                continue
            src = pl.col(value_col(spec["key"]))
            mf = self.model_fields[column]
            if isinstance(mf, models.CharField | models.TextField):
                src = src.fill_null("")
            exprs.append(src.alias(column))
        exprs = [e for e in exprs if e.meta.output_name() != "severity"]
        frame = self._severity(good.with_columns(exprs))
        frame = frame.with_columns(self._window(frame))
        frame = self._identity(frame)
        frame = self._data(frame)
        frame = frame.with_columns(
            pl.lit(self.version.record_type_id, dtype=pl.Int64).alias("record_type_id"),
            pl.lit(self.version.pk, dtype=pl.Int64).alias("type_version_id"),
            pl.lit(None, dtype=pl.Int64).alias("subject_org_id"),
            pl.lit(None, dtype=pl.Int64).alias("subject_person_id"),
            pl.lit(str(RecordStatus.VALID)).alias("status"),
            pl.lit(batch_id, dtype=pl.Int64).alias("batch_id"),
        )
        if "amount" in frame.columns:  # Decimal rounding once per distinct amount (amounts repeat)
            distinct = frame["amount"].unique().drop_nulls().to_list()
            frame = frame.with_columns(pl.col("amount").replace_strict(
                distinct, [quantize(a) for a in distinct], default=None, return_dtype=pl.String))
        for name, mf in self.model_fields.items():  # columns no catalog field fills keep their model default
            if name not in frame.columns and name not in ("id", "created_at", "updated_at"):
                frame = frame.with_columns(pl.lit(mf.get_default()).alias(name))
        return frame

    def _window(self, frame: pl.DataFrame) -> list[pl.Expr]:
        """publicity_start = decision date; publicity_end defaults to the end of the severity's window."""
        dd = pl.col("decision_date")
        end: pl.Expr = pl.lit(None, dtype=pl.Date)
        for sev in reversed(self.version.severities):
            end = pl.when(pl.col("severity") == sev["name"]).then(dd.dt.offset_by(f"{int(sev['max_months'])}mo")).otherwise(end)
        first = self.version.severities[0]
        end = pl.when(end.is_null()).then(dd.dt.offset_by(f"{int(first['max_months'])}mo")).otherwise(end)
        given = pl.col("publicity_end") if "publicity_end" in frame.columns else pl.lit(None, dtype=pl.Date)
        return [dd.alias("publicity_start"), pl.coalesce(given, end).alias("publicity_end")]

    def _severity(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``severity`` as given, else as the catalog's severity rules derive it (``archive.services._set_severity``),
        else the type's first severity; with ``v_severity_basis`` (which rule set it) where the type keeps one."""
        given = (pl.col(value_col(self.column_specs["severity"]["key"])) if "severity" in self.column_specs
                 else pl.lit(None, dtype=pl.String))
        frame = frame.with_columns(given.alias("severity"))
        if not (self.version.publication or {}).get("severity_rules"):
            return frame.with_columns(pl.col("severity").fill_null(self.default_severity))
        keys = {s["key"] for s in self.fields}
        inputs = {
            "_kinds": (pl.col(value_col("penalty_kinds")).list.join(SEP1) if "penalty_kinds" in keys
                       else pl.lit(None, dtype=pl.String)),
            "_ckind": pl.col("counterparty_kind") if "counterparty_kind" in frame.columns else pl.lit(""),
            "_amount": pl.col("amount") if "amount" in frame.columns else pl.lit(None, dtype=pl.String),
            "_result": pl.col("result") if "result" in frame.columns else pl.lit(""),
        }
        frame = frame.with_columns(**inputs)
        wanted = frame.filter(pl.col("severity").is_null()).select(list(inputs)).unique()
        rows = []
        for kinds, ckind, amount, result in wanted.iter_rows():
            derived = derive_severity(self.version, kinds.split(SEP1) if kinds else [], ckind or "",
                                      Decimal(amount) if amount else None, result or "")
            rows.append((kinds, ckind, amount, result, derived.severity if derived else self.default_severity,
                         derived.basis if derived else None))
        found = pl.DataFrame(rows, schema={**{k: wanted.schema[k] for k in inputs}, "_sev": pl.String, "_basis": pl.String},
                             orient="row")
        frame = frame.join(found, on=list(inputs), how="left", nulls_equal=True, maintain_order="left")
        frame = frame.with_columns(
            pl.coalesce(pl.col("severity"), pl.col("_sev")).alias("severity"),
            pl.when(pl.col("severity").is_null()).then(pl.col("_basis")).otherwise(pl.lit(SEVERITY_GIVEN))
            .alias(value_col("severity_basis")),
        )
        return frame.drop([*inputs, "_sev", "_basis"])

    def _identity(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Blind index and masked copy of each ID number (the cipher is made only for rows written)."""
        empty = pl.lit("", dtype=pl.String)
        for column in IDENTITY_COLUMNS:
            spec = self.column_specs.get(column)
            if spec is None:
                frame = frame.with_columns(empty.alias(f"{column}_cipher"), empty.alias(f"{column}_index"),
                                           empty.alias(f"{column}_masked"))
                continue
            numbers = frame[value_col(spec["key"])].to_list()
            index, masked = [""] * len(numbers), [""] * len(numbers)
            for i, number in enumerate(numbers):
                if number:
                    index[i] = crypto.blind_index(number)
                    masked[i] = mask_id_number(number)
            frame = frame.with_columns(empty.alias(f"{column}_cipher"), pl.Series(f"{column}_index", index, dtype=pl.String),
                                       pl.Series(f"{column}_masked", masked, dtype=pl.String))
        return frame

    def with_ciphers(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Encrypt the ID numbers of the rows about to be written (Fernet, as ``CreditRecord.set_counterparty_id``)."""
        if not frame.height:
            return frame
        for column in IDENTITY_COLUMNS:
            spec = self.column_specs.get(column)
            if spec is not None:
                numbers = frame[value_col(spec["key"])].to_list()
                cipher = [crypto.encrypt(number) if number else "" for number in numbers]
                frame = frame.with_columns(pl.Series(f"{column}_cipher", cipher, dtype=pl.String))
        return frame

    def _data_values(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The ``data`` values as archive.services._apply_values stores them (dates ISO, decimals str)."""
        exprs = []
        for spec in self.data_specs:
            col = value_col(spec["key"])
            if spec["type"] == "date":
                exprs.append(pl.col(col).dt.to_string("%Y-%m-%d").alias(f"d_{spec['key']}"))
            elif spec["type"] == "decimal":
                exprs.append(pl.col(col).map_elements(lambda t: str(Decimal(t)), return_dtype=pl.String,
                                                      skip_nulls=True).alias(f"d_{spec['key']}"))
            else:
                exprs.append(pl.col(col).alias(f"d_{spec['key']}"))
        return frame.with_columns(exprs) if exprs else frame

    def _fragments(self) -> tuple[dict[str, pl.Expr], list[pl.Expr]]:
        """Each ``data`` key's ``"key":value`` JSON fragment (null when the value is), and the checks for
        values that would need JSON escaping."""
        frags: dict[str, pl.Expr] = {}
        esc: list[pl.Expr] = []
        for spec in self.data_specs:
            key = spec["key"]
            col = pl.col(f"d_{key}")
            if spec["type"] == "multi_enum":
                body = pl.concat_str([pl.lit("["), col.list.eval(pl.concat_str([pl.lit('"'), pl.element(), pl.lit('"')]))
                                      .list.join(","), pl.lit("]")])
                esc.append(col.list.eval(pl.element().str.contains(ESC_RE)).list.any().fill_null(False))
            elif spec["type"] == "integer":
                body = col.cast(pl.String)
            else:
                body = _json_str(col)
                esc.append(col.str.contains(ESC_RE).fill_null(False))
            frags[key] = pl.when(col.is_not_null()).then(pl.concat_str([pl.lit(f'"{key}":'), body])).otherwise(None)
        return frags, esc

    def _data(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``_data_db`` (catalog order, stored) and ``_data_canon`` (sorted keys, hashed) as JSON text."""
        frame = self._data_values(frame)
        frags, esc = self._fragments()
        if not frags:
            return frame.with_columns(pl.lit("{}").alias("_data_db"), pl.lit("{}").alias("_data_canon"),
                                      pl.lit(False).alias("_data_esc"))
        in_order = [frags[s["key"]] for s in self.data_specs]
        in_keys = [frags[k] for k in sorted(frags)]

        def obj(parts: list[pl.Expr]) -> pl.Expr:
            return pl.concat_str([pl.lit("{"), pl.concat_str(parts, separator=",", ignore_nulls=True), pl.lit("}")])

        frame = frame.with_columns(obj(in_order).alias("_data_db"), obj(in_keys).alias("_data_canon"),
                                   pl.any_horizontal(esc).alias("_data_esc") if esc else pl.lit(False).alias("_data_esc"))
        escaped = frame["_data_esc"].arg_true().to_list()
        if escaped:  # rare: values with quotes, backslashes or control characters go through json.dumps
            db, canon = frame["_data_db"].to_list(), frame["_data_canon"].to_list()
            rows = frame.select([f"d_{s['key']}" for s in self.data_specs])
            for i in escaped:
                data = self.data_dict(rows.row(i, named=True))
                db[i] = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
                canon[i] = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
            frame = frame.with_columns(pl.Series("_data_db", db), pl.Series("_data_canon", canon))
        return frame

    def data_pg_expr(self) -> pl.Expr:
        """``data`` as PostgreSQL's ``jsonb::text`` gives it (keys by length then bytes, ``": "`` and ``", "``),
        for comparing rows matched to a stored record; made only for those rows (none in a first import).
        Rows that needed escaping take ``_data_canon`` (they compare as objects when the text differs)."""
        frags, _ = self._fragments()
        if not frags:
            return pl.lit("{}")
        pg_frags = {k: pl.when(e.is_not_null()).then(e.str.replace('":', '": ', literal=True, n=1)
                                                     .str.replace_all('","', '", "', literal=True)) for k, e in frags.items()}
        in_pg = [pg_frags[k] for k in sorted(frags, key=lambda k: (len(k.encode()), k.encode()))]
        text = pl.concat_str([pl.lit("{"), pl.concat_str(in_pg, separator=", ", ignore_nulls=True), pl.lit("}")])
        return pl.when(pl.col("_data_esc")).then(pl.col("_data_canon")).otherwise(text)

    def data_dict(self, row: dict[str, Any]) -> dict[str, Any]:
        return {s["key"]: row[f"d_{s['key']}"] for s in self.data_specs if row[f"d_{s['key']}"] is not None}

    # -- keys --------------------------------------------------------------------------------

    def key_expr(self) -> pl.Expr:
        """Match key: decision number + counterparty code, or + counterparty name when there is no code."""
        keys = {s["key"] for s in self.fields}
        code = pl.col(value_col("counterparty_code")) if "counterparty_code" in keys else pl.lit(None, dtype=pl.String)
        name = pl.col(value_col("counterparty_name")) if "counterparty_name" in keys else pl.lit("", dtype=pl.String)
        who = pl.when(code.is_not_null()).then(pl.concat_str([pl.lit("C"), code])).otherwise(
            pl.concat_str([pl.lit("N"), name.fill_null("")]))
        return pl.concat_str([pl.col(value_col("decision_number")), pl.lit("\x1f"), who]).alias(KEY)


# --------------------------------------------------------------------------- digests

ID_MARK = "\x00"  # where the id goes in a state text made before ids are known (values with NUL are escaped)


def state_json_expr(fields: list[models.Field[Any, Any]], now_micros: int,
                    frame: pl.DataFrame | None = None) -> pl.Expr:
    """The ledger's canonical JSON of each row's state (``ledger.hashing.digest_state``), for rows whose
    strings need no escaping: keys sorted, compact, non-ASCII kept. The id is ``frame``'s ``id`` column
    when it has one, else ``ID_MARK`` (put in by :func:`record_digests` once the ids are known).

    One ``concat_str`` over the whole text (constant pieces merged, a null check only for columns of
    ``frame`` that hold nulls), rather than one per field: the text is built in a single pass."""
    parts: list[pl.Expr | str] = ["{"]

    def nullable(name: str) -> bool:
        return frame is None or name not in frame.columns or frame[name].null_count() > 0

    for n, f in enumerate(sorted(fields, key=lambda f: f.attname)):
        name = f.attname
        parts.append(f'{"," if n else ""}"{name}":')
        if name == "id":
            parts.append(pl.col("id").cast(pl.String) if frame is not None and "id" in frame.columns else ID_MARK)
        elif name in ("created_at", "updated_at"):
            parts.append(str(now_micros))
        elif name == "data":
            parts.append(pl.col("_data_canon"))
        elif isinstance(f, models.DateField | models.DecimalField | models.CharField | models.TextField):
            text = pl.col(name).dt.to_string("%Y-%m-%d") if isinstance(f, models.DateField) else pl.col(name)
            if nullable(name):
                parts.append(pl.when(pl.col(name).is_null()).then(pl.lit("null")).otherwise(_json_str(text)))
            else:
                parts += ['"', text, '"']
        else:
            parts.append(pl.col(name).cast(pl.String).fill_null("null") if nullable(name)
                         else pl.col(name).cast(pl.String))
    parts.append("}")
    merged: list[pl.Expr] = []
    pending = ""
    for part in parts:
        if isinstance(part, str):
            pending += part
            continue
        if pending:
            merged.append(pl.lit(pending))
            pending = ""
        merged.append(part)
    if pending:
        merged.append(pl.lit(pending))
    return pl.concat_str(merged)


def escape_mask(frame: pl.DataFrame, fields: list[models.Field[Any, Any]]) -> pl.Series:
    text = [pl.col(f.attname).str.contains(ESC_RE).fill_null(False) for f in fields
            if isinstance(f, models.CharField | models.TextField) and f.attname in frame.columns]
    return frame.select(pl.any_horizontal([*text, pl.col("_data_esc")]).alias("m"))["m"]


@dataclass
class StateDrafts:
    """The ledger state texts of a chunk's new rows (:func:`draft_states`)."""

    texts: list[str]  # canonical JSON, with ID_MARK where the id goes unless ``with_ids``
    escaped: list[int]  # rows whose strings need JSON escaping: digested from a model instance instead
    with_ids: bool = False  # the texts already hold the ids (the frame had them)


def draft_states(frame: pl.DataFrame, now: dt.datetime) -> StateDrafts:
    """The state texts of the rows of ``frame``: the costly part of :func:`record_digests`. Without an
    ``id`` column it can be done before the ids are taken (they are put in afterwards)."""
    fields = concrete_fields()
    texts = frame.select(state_json_expr(fields, micros(now), frame).alias("j"))["j"].to_list()
    return StateDrafts(texts, escape_mask(frame, fields).arg_true().to_list(), with_ids="id" in frame.columns)


def record_digests(frame: pl.DataFrame, builder: RecordBuilder, now: dt.datetime, drafts: StateDrafts) -> list[str]:
    """The keyed state digest of every row of ``frame`` (which now has ids): as ``digest_instance`` gives."""
    if drafts.with_ids:
        out = [digest_text(t) for t in drafts.texts]
    else:
        out = [digest_text(t.replace(ID_MARK, str(pk), 1))
               for t, pk in zip(drafts.texts, frame["id"].to_list(), strict=True)]
    for i in drafts.escaped:
        out[i] = digest_instance(builder_instance(builder, frame.row(i, named=True), now))
    return out


def builder_instance(builder: RecordBuilder, row: dict[str, Any], now: dt.datetime) -> CreditRecord:
    """A CreditRecord instance (not saved) with the row's values, as the ORM would hold them."""
    obj = CreditRecord()
    for f in concrete_fields():
        name = f.attname
        if name in ("created_at", "updated_at"):
            setattr(obj, name, now)
        elif name == "data":
            obj.data = builder.data_dict(row)
        elif name == "amount":
            obj.amount = Decimal(row["amount"]) if row.get("amount") is not None else None
        elif name in row:
            setattr(obj, name, row[name])
    return obj


# --------------------------------------------------------------------------- writing

def _stored_columns(frame: pl.DataFrame, now: dt.datetime) -> pl.DataFrame:
    """The rows of ``frame`` (with ids) as the archive table's columns, in its order, as the backend takes them."""
    select: list[pl.Expr] = []
    for f in concrete_fields():
        if f.attname in ("created_at", "updated_at"):
            stamp = now.isoformat(sep=" ") if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
            select.append(pl.lit(stamp).alias(f.attname))
        elif f.attname == "data":
            select.append(pl.col("_data_db").alias("data"))
        elif isinstance(f, models.DateField):
            select.append(pl.col(f.attname).dt.to_string("%Y-%m-%d").alias(f.attname))
        else:
            select.append(pl.col(f.attname))
    return frame.select(select)


def copy_payload(frame: pl.DataFrame, now: dt.datetime) -> bytes:
    """The ``COPY … (FORMAT csv, NULL '\\N')`` data of the rows of ``frame`` (PostgreSQL; with ids). Made
    on the reading thread ahead of the chunk's transaction, so the writer only streams it."""
    buf = io.BytesIO()
    _stored_columns(frame, now).write_csv(buf, include_header=False, null_value="\\N", quote_style="non_numeric")
    return buf.getvalue()


def insert_records(frame: pl.DataFrame, now: dt.datetime, payload: bytes | None = None) -> None:
    """Write the rows of ``frame`` (with ids) in one bulk statement per backend (``payload``: the
    :func:`copy_payload` of ``frame``, when it was made already)."""
    columns = [f.column for f in concrete_fields()]
    table = CreditRecord._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        data = memoryview(payload if payload is not None else copy_payload(frame, now))
        with connection.cursor() as cur:
            sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            with cur.cursor.copy(sql) as copy:
                for at in range(0, len(data), COPY_BLOCK):  # the server parses each block as the next is sent
                    copy.write(data[at:at + COPY_BLOCK])
        return
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})",
                        _stored_columns(frame, now).rows())


COPY_BLOCK = 256 * 1024


def analyze_if_grown(added: int) -> bool:
    """ANALYZE the archive table's matching columns on PostgreSQL once ``added`` rows (written since the
    last call that returned True) reach what the planner believes the table holds; True if it did.

    A bulk load otherwise leaves the planner with the table's old size (empty, say), and the
    per-chunk matching query (:func:`fetch_existing`) becomes a sequential scan of a table that
    grows with every chunk, until autovacuum gets round to it. Only the two columns that query
    filters on are analysed (all 30 cost ~0.4 s a time at 100k rows), and doubling keeps the
    ANALYZEs few; ANALYZE with a column list still updates the table's row count.
    """
    if connection.vendor != "postgresql" or added < 10_000:
        return False
    table = CreditRecord._meta.db_table
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        believed = max(float(cur.fetchone()[0]), 0.0)
        if added < believed:
            return False
        cur.execute(f"ANALYZE {connection.ops.quote_name(table)} (record_type_id, decision_number)")
    return True


KEYS = ("issuing_org_id", "decision_number", "counterparty_code", "counterparty_name")
NUL = "\x01"  # stands for NULL (PostgreSQL text cannot hold NUL)
SEP1 = "\x1f"


def _sql_text(column: str, vendor: str) -> str:
    """A compared column as text in SQL: the same text :func:`compare_text` builds for a new row."""
    if vendor == "postgresql":
        return f"COALESCE({column}::text, chr(1))"
    # printf turns NULL into 0.000000: a record without an amount (every 行政许可) would never compare unchanged
    text = (f"CASE WHEN {column} IS NULL THEN NULL ELSE printf('%.6f', {column}) END" if column == "amount"
            else f"CAST({column} AS TEXT)")
    return f"COALESCE({text}, char(1))"


def fetch_existing(type_id: int, numbers: list[str]) -> pl.DataFrame:
    """Records of the type with any of the decision numbers: keys, status, one text of all compared columns,
    the data and ``updated_at`` (text: µs since the epoch on PostgreSQL, as stored on SQLite)."""
    schema = {"x_id": pl.Int64, "x_status": pl.String, **{f"x_{c}": pl.String for c in KEYS},
              "x_cmp": pl.String, "x_data": pl.String, "x_updated": pl.String}
    if not numbers:
        return pl.DataFrame(schema=schema)
    vendor = connection.vendor
    table = connection.ops.quote_name(CreditRecord._meta.db_table)
    sep = " || chr(31) || " if vendor == "postgresql" else " || char(31) || "
    joined = sep.join(_sql_text(c, vendor) for c in COMPARED)
    keys = ", ".join(f"{c}::text" if vendor == "postgresql" else f"CAST({c} AS TEXT)" for c in KEYS)
    if vendor == "postgresql":  # COPY … TO STDOUT straight into Polars: no Python tuple per row
        sql = (f"COPY (SELECT id, status, {keys}, {joined}, data::text, "
               f"(extract(epoch FROM updated_at) * 1000000)::bigint::text FROM {table} "
               "WHERE record_type_id = %s AND decision_number = ANY(%s)) TO STDOUT WITH (FORMAT csv, NULL '\\N')")
        buf = io.BytesIO()
        with connection.cursor() as cur, cur.cursor.copy(sql, [type_id, numbers]) as copy:
            for block in copy:
                buf.write(block)
        if not buf.tell():
            return pl.DataFrame(schema=schema)
        buf.seek(0)
        return pl.read_csv(buf, has_header=False, schema=schema, null_values="\\N", empty_string_is_null=False)
    sql = (f"SELECT id, status, {keys}, {joined}, data, CAST(updated_at AS TEXT) FROM {table} "
           "WHERE record_type_id = %s AND decision_number IN (SELECT value FROM json_each(%s))")
    with connection.cursor() as cur:
        cur.execute(sql, [type_id, json.dumps(numbers, ensure_ascii=False)])
        rows = cur.fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")


def compare_text() -> pl.Expr:
    """A new row's compared columns joined as the text :func:`fetch_existing` reads from the database."""
    parts = []
    for c in COMPARED:
        col = pl.col(c)
        if c in ("decision_date", "publicity_start", "publicity_end"):
            col = col.dt.to_string("%Y-%m-%d")
        else:  # amount is already quantized to 6 places, as numeric(16,6)::text and printf('%.6f') give it
            col = col.cast(pl.String)
        parts.append(col.fill_null(NUL))
    return pl.concat_str(parts, separator=SEP1)


def data_equal(new_canon: list[str], stored: list[str | None]) -> list[bool]:
    out = []
    for a, b in zip(new_canon, stored, strict=True):
        if b is None:
            out.append(a == "{}")
            continue
        try:
            out.append(json.loads(a) == json.loads(b))
        except ValueError:
            out.append(False)
    return out
