"""Under /en/ the messages a service or a form gives back are English too (issue 11 point 9): a refused
objection, a repair refused by rule, a measure edited with bad values, an indicator value out of scope, a
promise changed without legal basis, a file in an unknown encoding. Each answer is checked like a page of the
English crawl: no Chinese outside the data marked ``translate="no"``, and the English message is there."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django import Settings

from govcredit.accounts.models import Role, User
from govcredit.accounts.services import create_user
from govcredit.commitments.tests.helpers import add_commitments
from govcredit.core.tests.test_english_pages import chinese_outside_data
from govcredit.indicators import services as indicators
from govcredit.indicators.models import Indicator
from govcredit.remedies import services as remedies
from govcredit.remedies.models import Objection
from govcredit.remedies.tests.conftest import PDF, statistics_record
from govcredit.sanctions.tests.helpers import breach
from govcredit.testing import PASSWORD, City, on_day

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 9, 1)
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _en(name: str, *args: object) -> str:
    with translation.override("en"):
        url = reverse(name, args=args)
    assert url.startswith("/en/"), url
    return url


def _english(html: str, expected: str) -> None:
    assert expected in html, html[-3000:]
    assert chinese_outside_data(html) == []


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.time_machine(on_day(DAY))
class TestEnglishMessages:
    def test_objection_refused(self, shared_city: City) -> None:
        record = statistics_record(shared_city)
        client = _client(shared_city.users["subject"])
        url = _en("remedies:objection_create", record.pk)
        page = client.post(url, {"ground": "其他", "reasons": "x",
                                 "attachments": [SimpleUploadedFile("a.pdf", b"<html>not a pdf")]})
        assert page.status_code == 200
        _english(page.content.decode(), "is not a PDF, JPEG or PNG")
        remedies.file_objection(record, ground="其他", reasons="wrong", files=[("a.pdf", PDF)],
                                user=shared_city.users["subject"])
        again = client.post(url, {"ground": "其他", "reasons": "x"})
        assert again.status_code in (200, 403)
        _english(again.content.decode(), "objection")

    def test_objection_decided_before_accepting_is_refused(self, shared_city: City) -> None:
        record = statistics_record(shared_city)
        filed = remedies.file_objection(record, ground="其他", reasons="wrong", files=[("a.pdf", PDF)],
                                        user=shared_city.users["subject"])
        objection = Objection.objects.get(record=record)
        assert filed is not None
        page = _client(shared_city.users["district"]).post(_en("remedies:objection_detail", objection.pk),
                                                          {"action": "uphold", "reason": "Checked"})
        assert page.status_code == 200
        _english(page.content.decode(), "cannot move from")

    def test_objection_refused_through_the_api(self, shared_city: City) -> None:
        record = statistics_record(shared_city)
        answer = _client(shared_city.users["subject"]).post(
            f"/api/remedies/records/{record.pk}/objections", json.dumps({"ground": "wrong", "reasons": "Wrong date"}),
            content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
        assert answer.status_code == 422
        messages = [e["message"] for e in answer.json()["errors"]]
        assert any("The objection ground must be one of" in m for m in messages), messages
        assert not any(CJK.search(m) for m in messages), messages

    def test_fault_tolerance_application_refused_through_the_api(self, shared_city: City) -> None:
        record = breach(shared_city)
        dept = create_user("xinjiekou_en", PASSWORD, role=Role.SUBJECT, organization=shared_city.orgs["xinjiekou"])
        answer = _client(dept).post("/api/sanctions/fault-tolerance",
                                    json.dumps({"record_id": record.pk, "grounds": ["bad luck"], "statement": "x"}),
                                    content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
        assert answer.status_code == 422
        messages = [e["message"] for e in answer.json()["errors"]]
        assert any("Choose the grounds that apply" in m for m in messages), messages
        assert not any(CJK.search(m) for m in messages), messages

    def test_repair_refused_by_rule(self, shared_city: City) -> None:
        record = statistics_record(shared_city, months_ago=1)  # the shortest publicity period is 3 months
        client = _client(shared_city.users["subject"])
        url = _en("remedies:repair_create", record.pk)
        _english(client.get(url).content.decode(), "shortest publicity period")
        refused = client.post(url, {"corrected": "Corrected", "commitment": SimpleUploadedFile("c.pdf", PDF)})
        _english(refused.content.decode(), "shortest publicity period")

    def test_measure_edit_with_bad_values(self, shared_city: City) -> None:
        client = _client(shared_city.users["credit"])
        page = client.post("/en/sanctions/catalogue/measures/gktb/", {
            "legal_basis": "", "duration_months": 500, "subject_kinds": ["organization"], "reason": "Longer"})
        assert page.status_code == 200
        _english(page.content.decode(), "errorlist")

    def test_indicator_value_out_of_scope(self, shared_city: City) -> None:
        indicators.load_defaults()
        client = _client(shared_city.users["district"])
        ind = Indicator.objects.get(code="complaints")
        page = client.post("/en/indicators/enter/", {"indicator": ind.pk, "subject": shared_city.orgs["qinhuai"].pk,
                                                     "period": "2026-08", "value": "5", "note": "x"})
        assert page.status_code == 200
        _english(page.content.decode(), "errorlist")

    def test_promise_change_without_legal_basis(self, shared_city: City) -> None:
        add_commitments(shared_city)
        promise = shared_city.promise
        client = _client(shared_city.users["district"])
        # what a user types is echoed in the form: typed in English here, so that only messages are checked
        body = {"procedure": "Minutes No. 9", "reason": "Plan revised", "decided_on": DAY.isoformat(), "new_due_on": "2027-06-01"}
        answer = client.post(f"/api/commitments/promises/{promise.pk}/change", json.dumps(body),
                             content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
        assert answer.status_code == 422
        messages = [e["message"] for e in answer.json()["errors"]]
        assert messages and not any(CJK.search(m) for m in messages), messages
        page = client.post(_en("commitments:promise_change", promise.pk), body)
        assert page.status_code == 200
        _english(page.content.decode(), "errorlist")

    def test_file_with_a_bad_encoding(self, shared_city: City) -> None:
        client = _client(shared_city.users["credit"])
        page = client.post(_en("reports:rosters"), {"file": SimpleUploadedFile("roster.csv", b"a,b\n\x80\x80\xff")})
        assert page.status_code == 200
        _english(page.content.decode(), "Cannot recognise the file&#x27;s encoding")

    def test_the_checks_can_fail(self) -> None:
        with pytest.raises(AssertionError):
            _english('<ul class="errorlist"><li>请填写异议理由</li></ul>', "errorlist")
        assert CJK.search("无法识别文件编码")
