"""The demo city has objections and repairs in every state, made through the services."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from pytest_django import DjangoDbBlocker

from govcredit.ledger.verification import verify
from govcredit.remedies.models import Objection, Repair
from govcredit.remedies.workflow import OBJECTION, REPAIR


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    fast_hash = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hash, transaction.atomic():
        out = io.StringIO()
        call_command("demo_data", "--seed", "7", "--scale", "0.05", "--no-progress", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_every_state(demo: str) -> None:
    assert set(Objection.objects.values_list("case__status", flat=True)) == set(OBJECTION.states)
    assert set(Repair.objects.values_list("case__status", flat=True)) == set(REPAIR.states)
    assert Objection.objects.filter(applicant_kind="信用主体").exists()
    assert Objection.objects.filter(applicant_kind="行政相对人").exists()
    assert "异议" in demo and "信用修复申请" in demo
    assert verify().ok
