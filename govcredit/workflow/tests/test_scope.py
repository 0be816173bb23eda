"""Scope: a district user cannot see or act on another district's case (service refuses, API answers 404)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from govcredit.testing import City, on_day
from govcredit.workflow import services
from govcredit.workflow.selectors import visible_cases

from .conftest import open_sample

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(on_day(dt.date(2026, 11, 2)))]


def test_district_user_cannot_act_on_another_districts_case(city: City) -> None:
    qinhuai = open_sample(city, org="qinhuai")
    district = city.users["district"]  # 玄武区
    assert not visible_cases(district).filter(pk=qinhuai.pk).exists()
    with pytest.raises(PermissionDenied, match="管辖范围"):
        services.transition(qinhuai, "已提交", district, "越权")
    qinhuai.refresh_from_db()
    assert qinhuai.status == "待整改"

    client = Client()
    client.force_login(district)
    assert client.get(f"/api/workflow/cases/{qinhuai.pk}").status_code == 404
    response = client.post(f"/api/workflow/cases/{qinhuai.pk}/transition",
                           json.dumps({"to_state": "已提交", "reason": "越权"}), content_type="application/json")
    assert response.status_code == 404
    assert qinhuai.pk not in [c["id"] for c in client.get("/api/workflow/inbox").json()["items"]]


def test_own_and_lower_cases_are_in_scope(city: City) -> None:
    street = open_sample(city, org="xinjiekou")  # a street under 玄武区
    assert visible_cases(city.users["district"]).filter(pk=street.pk).exists()
    assert visible_cases(city.users["credit"]).filter(pk=street.pk).exists()
    assert not visible_cases(city.users["submitter"]).filter(pk=street.pk).exists()
    assert not visible_cases(city.users["public"]).exists()
    services.transition(street, "已提交", city.users["district"], "下级单位的整改材料已报")
