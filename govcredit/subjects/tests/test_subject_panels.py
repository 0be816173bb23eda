"""A subject's page shows the sections other apps registered (subjects.panels): the archive's timeline
of the records the user may see about that subject."""

from __future__ import annotations

import pytest
from django.test import Client

from govcredit.testing import City

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

pytestmark = pytest.mark.django_db


def _page(city: City, username: str, url: str) -> str:
    client = Client()
    client.force_login(city.users[username], backend=MODEL_BACKEND)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_person_page_shows_the_archive_timeline(city: City) -> None:
    person = city.people["xuanwu"]
    html = _page(city, "credit", f"/subjects/people/{person.pk}/")
    record = city.records["xuanwu_discipline"]
    assert "<h2>信用档案</h2>" in html and 'id="archive-timeline"' in html
    assert f'/archive/records/{record.pk}/' in html and record.decision_number in html
    # the timeline sits between the person's fields and the post history
    assert html.index("信用档案") < html.index("任职经历")


def test_org_page_without_records_says_so(city: City) -> None:
    org = city.orgs["zzb"]
    html = _page(city, "credit", f"/subjects/orgs/{org.pk}/")
    assert "<h2>信用档案</h2>" in html and "档案中暂无信用记录" in html
