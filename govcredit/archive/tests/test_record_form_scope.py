"""The record form refuses an issuing organisation or subject outside the user's scope exactly as the
records API does (403, same message), instead of filing the record under the user's own organisation."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from govcredit.archive.models import CreditRecord
from govcredit.archive.parties import MSG_ISSUER, MSG_SUBJECT_ORG, MSG_SUBJECT_PERSON
from govcredit.catalog.models import RecordType
from govcredit.testing import City

pytestmark = pytest.mark.django_db

FORM_URL = "/archive/records/new/"
DISCIPLINE = {"处分决定文号": "秦纪〔2026〕3号", "处分机关": "秦淮区纪委监委", "处分决定日期": "2026-03-05",
              "处分种类": "警告", "违纪违法事实": "违规发放津贴补贴", "严重程度": "一般"}


def _form_data(city: City, **ids: int) -> dict[str, object]:
    version = RecordType.objects.get(code="jlcf").current()
    by_label = {spec["label"]: spec["key"] for spec in version.fields}
    return {"record_type": version.record_type_id, **{by_label[k]: v for k, v in DISCIPLINE.items()}, **ids}


def _api(client: Client, **ids: int) -> tuple[int, str]:
    response = client.post("/api/records", json.dumps({"type": "jlcf", "fields": DISCIPLINE, **ids}),
                           content_type="application/json")
    return response.status_code, response.json().get("detail", "")


@pytest.mark.parametrize(("field", "target", "message"), [
    ("issuing_org", "qinhuai", MSG_ISSUER),
    ("subject_org", "qinhuai", MSG_SUBJECT_ORG),
    ("subject_person", "qinhuai", MSG_SUBJECT_PERSON),
])
def test_out_of_scope_party_is_refused_on_the_form_as_by_the_api(city: City, field: str, target: str,
                                                                  message: str) -> None:
    client = Client()
    client.force_login(city.users["district"])  # 玄武区: 秦淮区 is outside its scope
    other = (city.people if field == "subject_person" else city.orgs)[target].pk
    ids = {"issuing_org": city.orgs["xuanwu"].pk, field: other}
    before = CreditRecord.objects.count()

    page = client.get(FORM_URL, {"record_type": RecordType.objects.get(code="jlcf").pk, **ids})
    assert page.status_code == 403 and message in page.content.decode()
    posted = client.post(FORM_URL, _form_data(city, **ids))
    assert posted.status_code == 403 and message in posted.content.decode()
    assert _api(client, **ids) == (403, message)
    assert CreditRecord.objects.count() == before, "nothing is filed under another organisation"


def test_in_scope_parties_file_the_record_and_default_to_the_users_organisation(city: City) -> None:
    client = Client()
    client.force_login(city.users["district"])
    person = city.people["xuanwu"]
    response = client.post(FORM_URL, _form_data(city, subject_person=person.pk))
    assert response.status_code == 302
    record = CreditRecord.objects.get(decision_number="秦纪〔2026〕3号")
    assert (record.issuing_org, record.subject_person) == (city.orgs["xuanwu"], person)
    sub = client.post(FORM_URL, _form_data(city, issuing_org=city.orgs["xinjiekou"].pk))  # a subordinate office
    assert sub.status_code in (200, 302) and "refused" not in sub.content.decode()
