"""Scope: a district cannot see or decide another district's objection, a subject cannot see another
subject's case — through the services, the API and the pages alike."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from govcredit.remedies import services
from govcredit.remedies.models import Objection
from govcredit.remedies.selectors import visible_objections, visible_repairs
from govcredit.testing import City

from .conftest import PDF, client_for, post_json, qinhuai_users, statistics_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(city: City) -> City:
    qinhuai_users(city)
    objection = services.file_objection(
        statistics_record(city), ground="其他", reasons="有误", files=[("证明.pdf", PDF)], user=city.users["subject"]).objection
    repair = services.apply_repair(
        statistics_record(city), user=city.users["subject"], corrected="已纠正", commitment=("c.pdf", PDF), files=[]).repair
    assert objection is not None and repair is not None
    city.objection, city.repair = objection, repair
    return city


def test_selectors(cases: City) -> None:
    objection, repair = cases.objection, cases.repair
    for role in ("credit", "personnel", "district", "subject"):
        assert list(visible_objections(cases.users[role])) == [objection], role
        assert list(visible_repairs(cases.users[role])) == [repair], role
    for role in ("qinhuai_district", "qinhuai_subject", "submitter", "public", "thirdparty"):
        assert not visible_objections(cases.users[role]).exists(), role
        assert not visible_repairs(cases.users[role]).exists(), role


def test_other_district_cannot_decide(cases: City) -> None:
    objection = cases.objection
    with pytest.raises(PermissionDenied):
        services.act_on_objection(objection, "accept", cases.users["qinhuai_district"], "越权受理")
    client = client_for(cases.users["qinhuai_district"])
    status, _ = post_json(client, f"/api/remedies/objections/{objection.pk}/act", {"action": "accept", "reason": "越权"})
    assert status == 404
    assert client.get(f"/api/remedies/objections/{objection.pk}").status_code == 404
    response = client.post(reverse("remedies:objection_detail", args=[objection.pk]), {"action": "accept", "reason": "越权"})
    assert response.status_code == 404
    assert Objection.objects.get(pk=objection.pk).case.status == "待受理"


def test_other_subject_sees_nothing(cases: City) -> None:
    objection, repair = cases.objection, cases.repair
    client = client_for(cases.users["qinhuai_subject"])
    assert client.get("/api/remedies/objections").json() == []
    assert client.get("/api/remedies/repairs").json() == []
    for url in (f"/api/remedies/objections/{objection.pk}", f"/api/remedies/repairs/{repair.pk}",
                reverse("remedies:objection_detail", args=[objection.pk]), reverse("remedies:repair_detail", args=[repair.pk]),
                reverse("remedies:file", args=[objection.files.get().pk]),
                reverse("remedies:objection_create", args=[objection.record_id])):
        assert client.get(url).status_code == 404, url
    page = client.get(reverse("remedies:index")).content.decode()
    assert objection.number not in page and repair.number not in page
    status, _ = post_json(client, f"/api/remedies/records/{objection.record_id}/objections",
                          {"ground": "其他", "reasons": "不是我的记录"})
    assert status == 404


def test_subject_sees_its_own_with_deadlines(cases: City) -> None:
    objection = cases.objection
    client = client_for(cases.users["subject"])
    page = client.get(reverse("remedies:index")).content.decode()
    assert objection.number in page and f"{objection.case.due_on:%Y-%m-%d}" in page
    body = client.get("/api/remedies/objections").json()
    assert [o["number"] for o in body] == [objection.number] and body[0]["due_on"] == f"{objection.case.due_on:%Y-%m-%d}"
    assert client.get(reverse("remedies:file", args=[objection.files.get().pk])).status_code == 200


def test_subject_files_through_the_api_and_follows_it_without_login(city: City) -> None:
    record = statistics_record(city)
    status, body = post_json(client_for(city.users["subject"]), f"/api/remedies/records/{record.pk}/objections",
                             {"ground": "公示期限有误", "reasons": "公示截止日期有误"})
    assert status == 201, body
    from django.test import Client

    track = Client().get(f"/api/remedies/track?number={body['number']}&code={body['code']}")
    assert track.status_code == 200 and track.json()["status"] == "待受理"
    assert Client().get(f"/api/remedies/track?number={body['number']}&code=AAAAAAAAAA").status_code == 404


def test_home_lists_what_waits(cases: City) -> None:
    objection = cases.objection
    for role in ("subject", "district", "credit"):
        html = client_for(cases.users[role]).get("/").content.decode()
        assert 'id="home-remedies"' in html and objection.number in html, role
    assert 'id="home-remedies"' not in client_for(cases.users["qinhuai_district"]).get("/").content.decode()
