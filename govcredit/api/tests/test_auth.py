"""The API's documentation, authentication (token and session) and token management."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from govcredit.accounts.models import ApiToken
from govcredit.accounts.services import issue_token, set_active
from govcredit.testing import City

from .conftest import api_client

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")

EXPECTED_PATHS = {
    "/api/me", "/api/tokens", "/api/tokens/{token_id}",
    "/api/subjects/orgs", "/api/subjects/orgs/{org_id}", "/api/subjects/orgs/{org_id}/archive",
    "/api/subjects/people", "/api/subjects/people/{person_id}", "/api/subjects/people/{person_id}/posts",
    "/api/subjects/people/{person_id}/archive", "/api/subjects/people/lookup",
    "/api/catalog/types", "/api/catalog/types/{code}", "/api/catalog/types/{code}/versions",
    "/api/records", "/api/records/{record_id}", "/api/records/{record_id}/correct", "/api/records/{record_id}/status",
}


def test_openapi_lists_the_paths_with_chinese_descriptions() -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "GovCredit 政务诚信信息平台 API"
    assert EXPECTED_PATHS <= set(schema["paths"])
    person = schema["components"]["schemas"]["PersonDetailOut"]["properties"]
    assert CJK.search(person["id_number"]["description"])
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_docs_page_loads() -> None:
    assert Client().get("/api/docs").status_code == 200


def test_unauthenticated_gets_401_in_chinese() -> None:
    response = Client().get("/api/subjects/orgs")
    assert response.status_code == 401
    assert CJK.search(response.json()["detail"])


def test_token_auth_and_revocation(city: City) -> None:
    token, key = issue_token(city.users["district"], "区数据交换")
    client = Client(headers={"authorization": f"Bearer {key}"})
    me = client.get("/api/me")
    assert me.status_code == 200
    assert me.json()["username"] == "district"
    assert me.json()["auth"] == "token"
    assert me.json()["organization"] == {"id": city.orgs["xuanwu"].pk, "name": "南京市玄武区人民政府"}

    # the owner revokes it (here through the token itself); afterwards it no longer works
    revoked = client.delete(f"/api/tokens/{token.pk}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked"] is True
    refused = client.get("/api/me")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "接口令牌无效或已吊销"


def test_wrong_token_is_refused() -> None:
    response = Client(headers={"authorization": "Bearer gc_not-a-real-token"}).get("/api/me")
    assert response.status_code == 401
    assert CJK.search(response.json()["detail"])


def test_inactive_users_token_is_refused(city: City) -> None:
    user = city.users["xuanwu_scjg"]
    _, key = issue_token(user, "x")
    set_active(user, False, actor="test", reason="离职")
    assert Client(headers={"authorization": f"Bearer {key}"}).get("/api/me").status_code == 401


def test_session_creates_token_and_secret_is_shown_once(city: City) -> None:
    browser = api_client(city, "district", session=True)
    created = browser.post("/api/tokens", {"name": "区数据交换程序"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    secret = body["secret"]
    assert secret.startswith("gc_") and body["prefix"] == secret[:8]

    listed = browser.get("/api/tokens")
    assert listed.status_code == 200
    assert [t["name"] for t in listed.json()] == ["区数据交换程序"]
    assert secret not in listed.content.decode()
    assert "secret" not in listed.json()[0]

    machine = Client(headers={"authorization": f"Bearer {secret}"})
    assert machine.get("/api/me").json()["auth"] == "token"
    # a token cannot mint further tokens
    again = machine.post("/api/tokens", {"name": "再来一个"}, content_type="application/json")
    assert again.status_code == 403
    assert CJK.search(again.json()["detail"])

    assert browser.delete(f"/api/tokens/{body['id']}").status_code == 200
    assert machine.get("/api/me").status_code == 401


def test_cannot_revoke_someone_elses_token(city: City) -> None:
    other, _ = issue_token(city.users["credit"], "市级")
    response = api_client(city, "district").delete(f"/api/tokens/{other.pk}")
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=other.pk).revoked is False


def test_session_writes_need_csrf_but_tokens_do_not(city: City) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(city.users["district"], backend="django.contrib.auth.backends.ModelBackend")
    assert browser.get("/api/me").status_code == 200  # safe methods need no CSRF token
    refused = browser.post("/api/tokens", {"name": "x"}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not ApiToken.objects.filter(user=city.users["district"]).exists()

    secret = "Gc0" * 10 + "ab"  # any 32 letters and digits: the cookie holds it, the header repeats it
    browser.cookies["csrftoken"] = secret
    ok = browser.post("/api/tokens", {"name": "x"}, content_type="application/json", headers={"X-CSRFToken": secret})
    assert ok.status_code == 201

    machine = api_client(city, "district")  # bearer token, no cookie, no CSRF token
    response = machine.patch(f"/api/subjects/orgs/{city.orgs['xuanwu_scjg'].pk}", {"name": "玄武区市场监管局", "reason": "更名"},
                             content_type="application/json")
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["credit", "personnel", "district", "xuanwu_scjg", "xuanwu_scjg_self",
                                  "zhang", "public", "thirdparty"])
def test_me_for_every_role(city: City, role: str) -> None:
    response = api_client(city, role, session=True).get("/api/me")
    assert response.status_code == 200
    body = response.json()
    assert body["role"]["code"] == city.users[role].role
    assert CJK.search(body["role"]["label"])
    assert body["auth"] == "session"
    assert body["can_see_full_id"] is (role in {"credit", "personnel"})


def test_error_answers_follow_the_requests_language(city: City) -> None:
    """The fixed error texts are Chinese by default and English with ``?lang=en`` or ``Accept-Language``."""
    anonymous = Client().get("/api/subjects/orgs?lang=en")
    assert anonymous.status_code == 401
    assert anonymous.json()["detail"].startswith("Not logged in") and not CJK.search(anonymous.json()["detail"])
    wrong_token = Client().get("/api/me", headers={"Authorization": "Bearer gc_wrong", "Accept-Language": "en"})
    assert wrong_token.json()["detail"] == "The API token is invalid or has been revoked"

    client = api_client(city, "district")
    missing = client.get("/api/subjects/orgs/999999?lang=en")
    assert (missing.status_code, missing.json()["detail"]) == (404, "Not found, or outside what you may see")
    org = city.orgs["xuanwu_scjg"].pk
    refused = client.patch(f"/api/subjects/orgs/{org}?lang=en", {"name": "玄武区市场监管局"}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json() == {"detail": "Invalid input", "errors": [{"field": "reason", "message": "Required"}]}
    chinese = client.patch(f"/api/subjects/orgs/{org}", {"name": "玄武区市场监管局"}, content_type="application/json")
    assert chinese.json() == {"detail": "输入有误", "errors": [{"field": "reason", "message": "必填项，不能缺少"}]}
