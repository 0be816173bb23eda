"""The home page shows what the apps registered in ``core.home``: counts in the user's scope, the
search forms and the newest records, in the same order as before they were registered."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from govcredit.archive.models import RecordStatus
from govcredit.archive.selectors import visible_records
from govcredit.sanctions.selectors import visible_measures
from govcredit.subjects.selectors import visible_orgs, visible_people
from govcredit.testing import City
from govcredit.workflow.services import inbox

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

pytestmark = pytest.mark.django_db


def _figures(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<div class="muted">([^<]+)</div><div class="stat"[^>]*>(\d+)</div>', html)


@pytest.mark.parametrize("username", ["credit", "district", "subject"])
def test_home_counts_what_the_user_may_see(city: City, username: str) -> None:
    client = Client()
    client.force_login(city.users[username], backend=MODEL_BACKEND)
    html = client.get("/").content.decode()
    user = city.users[username]
    records = visible_records(user)
    box = inbox(user)
    assert _figures(html) == [
        ("待办事项", str(box.total)), ("已逾期", str(box.overdue)), ("未读通知", str(box.unread)),
        ("可见单位", str(visible_orgs(user).count())),
        ("可见公务员", str(visible_people(user).count())),
        ("信用记录", str(records.count())),
        ("异议中", str(records.filter(status=RecordStatus.OBJECTION).count())),
        ("执行中的惩戒措施", str(visible_measures(user).filter(status="执行中", polarity="惩戒").count())),
        ("整改逾期", "0"),
        *([("履行中的招商引资承诺", "0"), ("逾期未兑现的承诺", "0"), ("换届前作出、仍须履行的承诺", "0")]
          if username != "subject" else []),
    ]
    assert 'id="stat-orgs"' in html and 'id="stat-people"' in html
    # the search forms, then the newest records
    assert html.index("查单位") < html.index("查公务员") < html.index("最近记录")
    for record in records[:10]:
        assert record.decision_number in html
