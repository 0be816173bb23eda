"""Registering a civil servant does not tell a caller whether an ID number is held outside its scope.

A number held inside the caller's scope is refused as 已登记; one held elsewhere gets a neutral refusal, the
same for every holder and every district, and the attempt goes to the security log.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.test import Client
from django.urls import reverse

from govcredit.accounts.services import issue_token
from govcredit.core import clock
from govcredit.ledger.models import LedgerEntry
from govcredit.subjects.identifiers import make_id_number
from govcredit.subjects.models import CivilServant
from govcredit.subjects.services import NEUTRAL_REFUSAL
from govcredit.testing import QINHUAI_ID, XUANWU_ID, City

pytestmark = pytest.mark.django_db
URL = "/api/subjects/people"


def _api(city: City, number: str) -> tuple[int, str]:
    _, key = issue_token(city.users["district"], "登记")
    response = Client().post(URL, {"name": "赵六", "id_number": number, "employer": city.orgs["xuanwu"].pk,
                                   "post": "科员"}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    body = response.json()
    return response.status_code, body["errors"][0]["message"] if response.status_code == 422 else ""


def _page(city: City, number: str) -> str:
    client = Client()
    client.force_login(city.users["district"])
    response = client.post(reverse("subjects:person_create", args=[city.orgs["xuanwu"].pk]),
                           {"name": "赵六", "id_number": number, "post": "科员", "start_date": clock.today().isoformat()})
    assert response.status_code == 200  # the form again, with its error
    return response.content.decode()


def test_number_held_in_another_district_gets_a_neutral_refusal_and_is_logged(
        city: City, caplog: pytest.LogCaptureFixture) -> None:
    before = (CivilServant.objects.count(), LedgerEntry.objects.count())
    with caplog.at_level(logging.WARNING, logger="govcredit.security"):
        status, message = _api(city, QINHUAI_ID)  # 李秦淮, employed in 秦淮区: outside 玄武区's scope
    assert (status, message) == (422, NEUTRAL_REFUSAL)
    assert "已登记" not in message
    logged = [r for r in caplog.records if r.name == "govcredit.security"]
    assert len(logged) == 1 and "district" in logged[0].getMessage() and QINHUAI_ID not in logged[0].getMessage()
    assert QINHUAI_ID[-4:] in logged[0].getMessage()
    page = _page(city, QINHUAI_ID)
    assert NEUTRAL_REFUSAL in page and "已登记" not in page
    assert (CivilServant.objects.count(), LedgerEntry.objects.count()) == before


def test_number_held_in_own_scope_is_named_as_registered(city: City) -> None:
    assert _api(city, XUANWU_ID) == (422, "该身份证号已登记")  # 王小明, employed in 玄武区
    assert "该身份证号已登记" in _page(city, XUANWU_ID)


def test_fresh_number_registers(city: City) -> None:
    status, _ = _api(city, make_id_number("320102", dt.date(1992, 2, 2), 77))
    assert status == 201
