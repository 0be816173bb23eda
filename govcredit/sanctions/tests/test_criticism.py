"""The public criticism list: departments under 公开通报批评 while it is in force, leaving when it ends."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from govcredit.archive.models import RecordStatus
from govcredit.archive.services import change_status
from govcredit.sanctions.models import AppliedMeasure
from govcredit.sanctions.services import expire_measures
from govcredit.testing import City

from .helpers import breach

pytestmark = pytest.mark.django_db


def test_listed_while_in_force_and_leaves_when_it_ends(city: City) -> None:
    record = breach(city, severity="严重")
    page = Client().get("/portal/criticism/")
    assert page.status_code == 200 and "玄武区新街口街道办事处" in page.content.decode()
    assert Client().get("/api/sanctions/criticism").json()[0]["department"] == "玄武区新街口街道办事处"
    assert "/portal/criticism/" in Client().get("/portal/").content.decode()
    change_status(record, RecordStatus.REVOKED, actor="test", reason="撤销")
    assert "玄武区新街口街道办事处" not in Client().get("/portal/criticism/").content.decode()


def test_leaves_when_its_time_is_up(city: City) -> None:
    record = breach(city, severity="严重")
    end = AppliedMeasure.objects.get(record=record, measure_version__effect="criticism").end_on
    expire_measures(end + dt.timedelta(days=1))
    assert Client().get("/api/sanctions/criticism").json() == []
