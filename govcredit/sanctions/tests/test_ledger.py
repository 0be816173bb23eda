"""``verify-ledger`` covers the sanctions tables: a measure changed behind the application is named."""

from __future__ import annotations

import pytest
from django.db import connection

from govcredit.ledger.verification import verify
from govcredit.sanctions.models import AppliedMeasure
from govcredit.testing import City

from .helpers import breach

pytestmark = pytest.mark.django_db


def test_a_measure_changed_behind_the_application_is_found(city: City) -> None:
    breach(city)
    assert verify().ok
    measure = AppliedMeasure.objects.order_by("pk").first()
    assert measure is not None
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AppliedMeasure._meta.db_table} SET note = %s WHERE id = %s", ["暗改", measure.pk])
    report = verify()
    assert not report.ok
    assert any(str(measure.pk) in f.message and "奖惩措施执行" in f.message for f in report.findings), \
        [f.message for f in report.findings]
