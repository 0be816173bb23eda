"""Records the remedies tests work on, built through the archive's services like the rest of the city."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import pytest
from django.test import Client

from govcredit.accounts.models import Role, User
from govcredit.accounts.services import create_user
from govcredit.archive.models import CreditRecord
from govcredit.archive.services import record_decision
from govcredit.catalog.models import RecordType
from govcredit.core import clock
from govcredit.testing import PASSWORD, City

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


_SERIAL = itertools.count(1)


def statistics_record(city: City, person: str = "xuanwu", *, months_ago: int = 4, severity: str = "一般",
                      number: str = "") -> CreditRecord:
    """A 统计造假 finding about a civil servant (public, 失信, repairable after 3 months when 一般), issued by the
    person's district."""
    decided = clock.today() - dt.timedelta(days=31 * months_ago)
    org = "xuanwu" if person == "xuanwu" else "qinhuai"
    number = number or f"统认〔2026〕{next(_SERIAL)}号"
    return record_decision(RecordType.objects.get(code="tjzj").current(), {
        "认定文号": f"{org}{number}", "认定机关": "区统计局", "认定日期": decided.isoformat(),
        "统计违法事实": "虚报统计数据", "严重程度": severity,
    }, issuing_org=city.orgs[org], subject_person=city.people[person], actor="test")


def qinhuai_users(city: City) -> None:
    """A district user and a subject of 秦淮区, to try to break the scope with."""
    city.users["qinhuai_district"] = create_user("qinhuai_district", PASSWORD, role=Role.DISTRICT,
                                                 organization=city.orgs["qinhuai"])
    city.users["qinhuai_subject"] = create_user("qinhuai_subject", PASSWORD, role=Role.SUBJECT,
                                                organization=city.orgs["qinhuai"], civil_servant=city.people["qinhuai"])


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, url: str, body: dict[str, Any]) -> tuple[int, Any]:
    response = client.post(url, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
