"""Rows are digested as the database stores them: another spelling is another value, and no stored
value makes verification die (issue 8, items 2 and 13)."""

from __future__ import annotations

import pytest
from django.db import connection

from govcredit.ledger.verification import Report, verify
from govcredit.testing import City

from .conftest import sql

sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite keeps dates as text")


def altered(report: Report, entity: str) -> bool:
    return [(f.kind, f.entity) for f in report.findings] == [("record_altered", entity)]


@pytest.mark.django_db
@sqlite_only
@pytest.mark.parametrize(("column", "respelled"), [
    ("decision_date", "{y}-{m}-{d_short}"),
    ("decision_date", "{y}/{m}/{d}"),
    ("created_at", "{created_t}"),
])
def test_a_respelled_date_is_record_altered(ledger_city: City, column: str, respelled: str) -> None:
    """SQLite text ``2026-12-4`` parses to the same date but is not what was stored (date filters differ)."""
    record = ledger_city.records["newest_penalty"]
    [(stored_date, created)] = sql("SELECT decision_date, CAST(created_at AS TEXT) FROM archive_creditrecord "
                                   "WHERE id = %s", [record.pk])
    y, m, d = str(stored_date).split("-")
    value = respelled.format(y=y, m=m, d=d, d_short=str(int(d)), created_t=created.replace(" ", "T"))
    sql(f"UPDATE archive_creditrecord SET {column} = %s WHERE id = %s", [value, record.pk])
    assert altered(verify(), f"archive.creditrecord:{record.pk}")


@pytest.mark.django_db
@sqlite_only
@pytest.mark.parametrize(("column", "value"), [("depth", 1.5), ("is_active", 2)])
def test_a_number_of_another_kind_is_record_altered(ledger_city: City, column: str, value: float) -> None:
    """1.5 in an integer column reads back as 1 through Django, 2 in a boolean one as True."""
    sql(f"UPDATE subjects_organization SET {column} = {column} + %s WHERE id = %s", [value, ledger_city.orgs["xuanwu_scjg"].pk])
    assert altered(verify(), f"subjects.organization:{ledger_city.orgs['xuanwu_scjg'].pk}")


BAD_VALUES = [
    ("amount", "99999999999999999999999999999999999999"),  # beyond any decimal precision: InvalidOperation
    ("amount", "not a number"),
    ("data", "{not json"),
    ("decision_date", "2026-13-45"),
    ("created_at", "yesterday"),
]


@pytest.mark.django_db
@sqlite_only
@pytest.mark.parametrize(("column", "value"), BAD_VALUES, ids=[f"{c}={v[:12]}" for c, v in BAD_VALUES])
def test_a_value_the_application_cannot_read_is_named_not_raised(ledger_city: City, column: str, value: str) -> None:
    with connection.cursor() as cur:  # CHECK constraints (json_valid) are not what an intruder respects
        cur.execute("PRAGMA ignore_check_constraints = ON")
    sql(f"UPDATE archive_creditrecord SET {column} = %s WHERE id = %s", [value, ledger_city.records["newest_penalty"].pk])
    assert altered(verify(), f"archive.creditrecord:{ledger_city.records['newest_penalty'].pk}")


@pytest.mark.django_db
@sqlite_only
def test_an_amount_beyond_the_column_precision_is_named_not_raised(ledger_city: City) -> None:
    """The value of issue 8 item 2 as SQLite kept it (10¹⁰; PostgreSQL refuses to store it)."""
    sql("UPDATE archive_creditrecord SET amount = 10000000000 WHERE id = %s", [ledger_city.records["newest_penalty"].pk])
    assert altered(verify(), f"archive.creditrecord:{ledger_city.records['newest_penalty'].pk}")
