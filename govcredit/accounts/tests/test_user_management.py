"""The credit office manages users on pages; every change is a ledger entry; nothing changes users behind it."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from govcredit.accounts import services
from govcredit.accounts.models import Role, User
from govcredit.ledger.models import LedgerBypassError, LedgerEntry
from govcredit.ledger.services import history
from govcredit.ledger.verification import verify
from govcredit.testing import PASSWORD, City

NEW_PASSWORD = "Xuanwu-2027-passphrase"


def latest(user: User) -> LedgerEntry:
    entry = history(user).order_by("-seq").first()
    assert entry is not None
    return entry


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def temporary_password(response_text: str) -> str:
    found = re.search(r"临时密码：([A-Za-z0-9]{12})", response_text)
    assert found, response_text
    return found[1]


# --- services ---------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_creating_a_user_is_an_entry_naming_who_created_it(city: City) -> None:
    credit = city.users["credit"]
    user = services.create_user("xw_clerk", "Temp-pass-123", role=Role.SUBMITTER, organization=city.orgs["xuanwu"],
                                display_name="赵办事员", actor=credit, must_change_password=True)
    entry = latest(user)
    assert (entry.action, entry.actor, entry.actor_user_id, entry.changes) == ("account.create", "credit", credit.pk, "")
    assert user.must_change_password and user.check_password("Temp-pass-123")
    assert verify().ok


@pytest.mark.django_db
def test_create_refuses_a_taken_name_and_a_role_without_its_organisation(city: City) -> None:
    with pytest.raises(ValidationError, match="已被使用"):
        services.create_user("credit", "Temp-pass-123", role=Role.PUBLIC, organization=None)
    with pytest.raises(ValidationError, match="必须指定所属单位"):
        services.create_user("nobody", "Temp-pass-123", role=Role.DISTRICT, organization=None)


@pytest.mark.django_db
def test_assigning_role_and_organisation_names_old_and_new(city: City) -> None:
    user = city.users["submitter"]
    services.update_user(user, role=Role.DISTRICT, organization=city.orgs["xuanwu"], display_name="钱区长",
                         actor=city.users["credit"], reason="调任区政府")
    entry = latest(user)
    assert entry.action == "account.update" and entry.reason == "调任区政府"
    assert entry.changed_values == {"role": ["submitter", "district"], "first_name": ["", "钱区长"],
                                    "organization_id": [city.orgs["scjg"].pk, city.orgs["xuanwu"].pk]}
    with pytest.raises(ValidationError, match="理由"):
        services.update_user(user, role=Role.DISTRICT, organization=city.orgs["xuanwu"], display_name="",
                             actor=city.users["credit"], reason=" ")


@pytest.mark.django_db
def test_a_reset_password_works_once_and_is_never_in_the_ledger(city: City) -> None:
    user = city.users["district"]
    before = User.objects.get(pk=user.pk).password
    password = services.reset_password(user, actor=city.users["credit"], reason="忘记密码")
    user.refresh_from_db()
    assert user.must_change_password and user.check_password(password) and not user.check_password(PASSWORD)
    entry = latest(user)
    assert entry.changed_values == {"password": None, "must_change_password": [False, True]}
    assert password not in entry.changes and before not in entry.changes and user.password not in entry.changes


@pytest.mark.django_db
def test_changing_ones_own_password_checks_the_old_one_and_the_rules(city: City) -> None:
    user = city.users["district"]
    with pytest.raises(ValidationError, match="原密码不正确"):
        services.change_own_password(user, "wrong", NEW_PASSWORD)
    with pytest.raises(ValidationError):
        services.change_own_password(user, PASSWORD, "short")
    changed = services.change_own_password(user, PASSWORD, NEW_PASSWORD)
    assert changed.check_password(NEW_PASSWORD) and not changed.must_change_password
    entry = latest(user)
    assert (entry.action, entry.actor_user_id) == ("account.change_password", user.pk)


@pytest.mark.django_db
def test_deactivating_ends_the_session_and_nobody_deactivates_themselves(city: City) -> None:
    credit, district = city.users["credit"], city.users["district"]
    browser = signed_in(district)
    assert browser.get("/").status_code == 200
    with pytest.raises(ValidationError, match="不能停用自己"):
        services.set_active(credit, False, actor=credit, reason="试试")
    services.set_active(district, False, actor=credit, reason="离职")
    assert browser.get(reverse("archive:record_list")).status_code == 302  # logged out
    assert Client().post(reverse("accounts:login"), {"username": "district", "password": PASSWORD}).status_code == 200
    assert latest(district).changed_values == {"is_active": [True, False]}
    services.set_active(district, True, actor=credit, reason="返聘")
    assert latest(district).action == "account.reactivate"


@pytest.mark.django_db
def test_nothing_changes_a_user_behind_the_ledger(city: City) -> None:
    user = User.objects.get(username="district")
    with pytest.raises(LedgerBypassError):
        User.objects.filter(pk=user.pk).update(role=Role.CREDIT_OFFICE)
    user.role = Role.CREDIT_OFFICE
    with pytest.raises(LedgerBypassError):
        user.save()
    made = User.objects.create_user("admin2", password="Temp-pass-123")  # as `govcredit createsuperuser` does
    assert latest(made).action == "account.create"
    with connection.cursor() as cur:  # an intruder with database access
        cur.execute("UPDATE accounts_user SET role = 'credit_office' WHERE id = %s", [user.pk])
    assert [(f.kind, f.entity) for f in verify().findings] == [("record_altered", f"accounts.user:{user.pk}")]


@pytest.mark.django_db
def test_logging_in_is_not_a_change(city: City) -> None:
    assert Client().post(reverse("accounts:login"), {"username": "credit", "password": PASSWORD}).status_code == 302
    assert User.objects.get(username="credit").last_login is not None
    assert verify().ok


# --- pages ------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_credit_office_lists_and_searches_users(city: City) -> None:
    browser = signed_in(city.users["credit"])
    page = browser.get(reverse("accounts:user_list"), {"q": "xuanwu"}).content.decode()
    assert "南京市玄武区人民政府" not in page or "district" in page
    page = browser.get(reverse("accounts:user_list"), {"q": "玄武区人民政府"}).content.decode()
    assert ">district<" in page and ">credit<" not in page
    page = browser.get(reverse("accounts:user_list"), {"role": "public"}).content.decode()
    assert ">public<" in page and ">district<" not in page


@pytest.mark.django_db
def test_a_user_created_on_the_page_must_change_the_password_before_anything_else(city: City) -> None:
    credit = signed_in(city.users["credit"])
    response = credit.post(reverse("accounts:user_create"), {
        "username": "qh_clerk", "display_name": "孙办事员", "role": "submitter",
        "organization": city.orgs["qinhuai"].pk}, follow=True)
    assert response.status_code == 200
    password = temporary_password(response.content.decode())
    user = User.objects.get(username="qh_clerk")
    assert (user.role, user.organization_id, user.must_change_password) == ("submitter", city.orgs["qinhuai"].pk, True)
    assert "创建用户" in response.content.decode() and "孙办事员" in response.content.decode()

    clerk = Client()
    assert clerk.post(reverse("accounts:login"), {"username": "qh_clerk", "password": password}).status_code == 302
    for url in ("/", reverse("archive:record_list"), "/en/archive/records/"):
        response = clerk.get(url)
        assert response.status_code == 302 and response["Location"].endswith("/accounts/password/"), url
    assert clerk.get("/api/me").status_code == 403
    assert clerk.get(reverse("accounts:password_change")).status_code == 200
    response = clerk.post(reverse("accounts:password_change"), {
        "old_password": password, "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert clerk.get(reverse("archive:record_list")).status_code == 200  # still logged in, free again
    assert clerk.get("/api/me").status_code == 200


@pytest.mark.django_db
def test_the_page_assigns_role_and_organisation_resets_and_deactivates(city: City) -> None:
    credit = signed_in(city.users["credit"])
    target = city.users["submitter"]
    response = credit.post(reverse("accounts:user_edit", args=[target.pk]), {
        "display_name": "周科长", "role": "district", "organization": city.orgs["xuanwu"].pk, "reason": "调任"})
    assert response.status_code == 302
    page = credit.get(reverse("accounts:user_detail", args=[target.pk])).content.decode()
    assert "修改用户角色或单位" in page and "调任" in page
    assert "数据报送单位</del> → <ins>区政府" in page
    assert "南京市市场监督管理局 (#" in page and "南京市玄武区人民政府 (#" in page
    response = credit.post(reverse("accounts:user_password_reset", args=[target.pk]), {"reset-reason": "遗忘"},
                           follow=True)
    temporary_password(response.content.decode())
    response = credit.post(reverse("accounts:user_active", args=[target.pk]), {"active-reason": "离职"})
    assert response.status_code == 302 and not User.objects.get(pk=target.pk).is_active
    assert verify().ok


@pytest.mark.django_db
def test_refused_input_is_shown_on_the_page(city: City) -> None:
    credit = signed_in(city.users["credit"])
    target = city.users["submitter"]
    response = credit.post(reverse("accounts:user_edit", args=[target.pk]),
                           {"role": "district", "organization": "", "reason": "调任"})
    assert response.status_code == 200 and "必须指定所属单位" in response.content.decode()
    response = credit.post(reverse("accounts:user_edit", args=[target.pk]),
                           {"role": "district", "organization": "99999999", "reason": "调任"})
    assert response.status_code == 200 and User.objects.get(pk=target.pk).role == "submitter"
    response = credit.post(reverse("accounts:user_active", args=[city.users["credit"].pk]), {"active-reason": "x"})
    assert "不能停用自己" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["submitter", "personnel", "district", "subject", "public", "thirdparty"])
def test_other_roles_cannot_manage_users_nor_search_organisations(city: City, role: str) -> None:
    browser = signed_in(city.users[role])
    target = city.users["credit"]
    assert browser.get(reverse("accounts:user_list")).status_code == 403
    assert browser.get(reverse("accounts:org_search"), {"q": "南京"}).status_code == 403
    for name, data in (("accounts:user_edit", {"role": "credit_office", "organization": city.orgs["fgw"].pk,
                                               "reason": "提权"}),
                       ("accounts:user_password_reset", {"reset-reason": "夺号"}),
                       ("accounts:user_active", {"active-reason": "停用他人"})):
        assert browser.post(reverse(name, args=[target.pk]), data).status_code == 403
    assert browser.post(reverse("accounts:user_create"), {"username": "x", "role": "credit_office",
                                                           "organization": city.orgs["fgw"].pk}).status_code == 403
    target.refresh_from_db()
    assert target.is_active and target.role == "credit_office" and not target.must_change_password
    assert not User.objects.filter(username="x").exists()


@pytest.mark.django_db
def test_organisation_search_as_you_type(city: City) -> None:
    browser = signed_in(city.users["credit"])
    found = browser.get(reverse("accounts:org_search"), {"q": "玄武"}).json()["results"]
    assert {o["name"] for o in found} == {"南京市玄武区人民政府", "玄武区新街口街道办事处"}
    assert browser.get(reverse("accounts:org_search"), {"q": "玄"}).json()["results"] == []
    code = city.orgs["qinhuai"].credit_code
    assert [o["name"] for o in browser.get(reverse("accounts:org_search"), {"q": code}).json()["results"]] == [
        "南京市秦淮区人民政府"]


@pytest.mark.django_db
def test_the_home_page_leads_the_credit_office_to_the_users(city: City) -> None:
    services.reset_password(city.users["district"], actor=city.users["credit"], reason="遗忘")
    page = signed_in(city.users["credit"]).get("/").content.decode()
    assert 'id="home-users"' in page and reverse("accounts:user_list") in page
    assert 'id="stat-users-pending"' in page
    other = signed_in(city.users["personnel"]).get("/").content.decode()
    assert 'id="home-users"' not in other and reverse("accounts:user_list") not in other

