from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from govcredit.core import clock
from govcredit.ledger.services import history
from govcredit.ledger.verification import verify
from govcredit.subjects.identifiers import make_credit_code
from govcredit.subjects.models import ServantStatus
from govcredit.subjects.services import (
    change_organization,
    change_post,
    find_person_by_id_number,
    register_civil_servant,
    register_organization,
)
from govcredit.testing import XUANWU_ID, City


@pytest.mark.django_db
def test_register_organization_rejects_bad_and_duplicate_codes(city: City) -> None:
    code = make_credit_code("11", "320102", "000000099")
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError) as err:
        register_organization(name="x", credit_code=bad, org_type="机关", region_code="320102", parent=None, actor="t")
    assert "校验码" in err.value.message_dict["credit_code"][0]
    with pytest.raises(ValidationError, match="已登记"):
        register_organization(name="x", credit_code=city.orgs["xuanwu"].credit_code, org_type="机关",
                              region_code="320102", parent=None, actor="t")


@pytest.mark.django_db
def test_tree_path_gives_subtree(city: City) -> None:
    street = city.orgs["xinjiekou"]
    assert street.path.startswith(city.orgs["xuanwu"].path)
    assert street.depth == 2


@pytest.mark.django_db
def test_change_organization_needs_reason_and_is_ledgered(city: City) -> None:
    org = city.orgs["xuanwu"]
    with pytest.raises(ValidationError):
        change_organization(org, {"name": "新名"}, actor="credit", reason="")
    with pytest.raises(ValidationError, match="不能修改"):
        change_organization(org, {"credit_code": "x"}, actor="credit", reason="r")
    change_organization(org, {"name": "南京市玄武区人民政府（新）"}, actor="credit", reason="更名")
    assert [e.action for e in history(org)] == ["subject.org.create", "subject.org.update"]


@pytest.mark.django_db
def test_id_numbers_are_encrypted_at_rest_and_masked(city: City) -> None:
    person = city.people["xuanwu"]
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM subjects_civilservant WHERE id = %s", [person.pk])
        row = " ".join(str(v) for v in cur.fetchone())
    assert XUANWU_ID not in row
    assert XUANWU_ID[6:14] not in row  # not even the birth date part
    assert person.id_masked == XUANWU_ID[:4] + "**********" + XUANWU_ID[-4:]
    assert person.full_id_number() == XUANWU_ID
    assert find_person_by_id_number(XUANWU_ID) == person
    assert person.birth_date == dt.date(1985, 6, 15)


@pytest.mark.django_db
def test_duplicate_and_invalid_id_numbers(city: City) -> None:
    with pytest.raises(ValidationError, match="已登记"):
        register_civil_servant(name="重复", id_number=XUANWU_ID, employer=city.orgs["xuanwu"], post="科员", actor="t")
    bad = XUANWU_ID[:-1] + ("0" if XUANWU_ID[-1] != "0" else "1")
    with pytest.raises(ValidationError) as err:
        register_civil_servant(name="错号", id_number=bad, employer=city.orgs["xuanwu"], post="科员", actor="t")
    assert "校验码" in err.value.message_dict["id_number"][0]


@pytest.mark.django_db
def test_post_change_keeps_history(city: City) -> None:
    person = city.people["xuanwu"]
    promoted, retired = clock.today() + dt.timedelta(days=1), clock.today() + dt.timedelta(days=40)
    with pytest.raises(ValidationError, match="不能早于"):
        change_post(person, employer=city.orgs["xuanwu"], post="副科长", rank="", status=ServantStatus.ACTIVE,
                    effective=dt.date(2000, 1, 1), actor="district", reason="提任")
    change_post(person, employer=city.orgs["xuanwu"], post="副科长", rank="四级主任科员", status=ServantStatus.ACTIVE,
                effective=promoted, actor="district", reason="提任")
    change_post(person, employer=city.orgs["xuanwu"], post="副科长", rank="四级主任科员", status=ServantStatus.RETIRED,
                effective=retired, actor="district", reason="退休")
    posts = list(person.posts.order_by("start_date"))
    assert [p.post for p in posts] == ["科员", "副科长"]
    assert posts[0].end_date == promoted and posts[1].end_date == retired
    person.refresh_from_db()
    assert person.status == "退休"
    assert verify().ok


@pytest.mark.django_db
def test_district_registers_a_committee_and_a_person_through_the_pages(city: City) -> None:
    from django.test import Client

    from govcredit.subjects.identifiers import make_id_number

    client = Client()
    client.force_login(city.users["district"])
    street = city.orgs["xinjiekou"]
    code = make_credit_code("59", "320102", "000000777")
    bad = client.post(f"/subjects/orgs/{street.pk}/new-org/", {"name": "碑亭巷社区居民委员会",
                      "credit_code": code[:-1] + ("0" if code[-1] != "0" else "1"), "org_type": "居民委员会",
                      "region_code": "320102"})
    assert bad.status_code == 200 and "校验码" in bad.content.decode()
    ok = client.post(f"/subjects/orgs/{street.pk}/new-org/", {"name": "碑亭巷社区居民委员会", "credit_code": code.lower(),
                     "org_type": "居民委员会", "region_code": "320102"})
    assert ok.status_code == 302
    committee = street.children.get()
    assert committee.credit_code == code and committee.path.startswith(street.path)
    number = make_id_number("320102", dt.date(1992, 3, 4), 55)
    ok = client.post(f"/subjects/orgs/{committee.pk}/new-person/", {"name": "赵社区", "id_number": number,
                     "post": "主任", "start_date": "2026-01-05"})
    assert ok.status_code == 302
    added = find_person_by_id_number(number)
    assert added is not None and added.employer == committee
    denied = client.post(f"/subjects/orgs/{city.orgs['qinhuai'].pk}/new-org/", {"name": "x"})
    assert denied.status_code == 404
    assert verify().ok
