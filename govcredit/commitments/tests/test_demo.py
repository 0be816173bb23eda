"""The demo city has PPP projects in every stage, promises in every state, and a promise that spans a change
of district leadership, overdue and a breach candidate naming the former 区长."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from pytest_django import DjangoDbBlocker

from govcredit.commitments import link
from govcredit.commitments.models import PPPProject, Promise, PromiseStatus, Stage
from govcredit.commitments.selectors import across_turnover
from govcredit.core import clock
from govcredit.ledger.verification import verify
from govcredit.obligations.models import BreachCandidate
from govcredit.obligations.services import responsible_for


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    fast_hash = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hash, transaction.atomic():
        out = io.StringIO()
        call_command("demo_data", "--seed", "7", "--scale", "0.05", "--no-progress", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_every_stage_and_state(demo: str) -> None:
    assert set(PPPProject.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(Promise.objects.values_list("status", flat=True)) == set(PromiseStatus.values)
    assert "PPP项目" in demo and "招商引资承诺" in demo


@pytest.mark.django_db
def test_promise_across_the_change_of_leadership(demo: str) -> None:
    across = list(across_turnover(Promise.objects.all(), clock.today()))
    overdue = [p for p in across if p.due_on < clock.today()]
    assert len(overdue) == 2, "promises made under the former 区长, still owed and overdue"
    responsible = set()
    for promise in overdue:
        assert promise.maker != promise.holder  # type: ignore[attr-defined]  # maker, holder: annotations of with_holders
        ob = link.obligation_of(promise)
        assert ob is not None
        candidate = BreachCandidate.objects.get(obligation=ob)
        assert candidate.status == "待确认" and candidate.subject_org == promise.org
        person = responsible_for(ob)
        assert person is not None
        responsible.add(person.name)
    # one was missed before the change (the former 区长 answers for it), one after (his successor does)
    assert responsible == {overdue[0].maker, overdue[0].holder}  # type: ignore[attr-defined]  # maker, holder: annotations of with_holders
    assert Promise.objects.filter(status=PromiseStatus.BREACHED).exists()
    assert verify().ok
