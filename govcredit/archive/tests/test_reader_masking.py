"""Free text of a record (facts, legal basis, result) read by staff who may not correct it: the names of the
persons it is about, their ID and phone numbers masked on the record page, in the API and on the subject's
timeline; shown as written to the issuing district, the credit office and the person it is about."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govcredit.archive.models import CreditRecord
from govcredit.archive.services import record_decision
from govcredit.catalog.models import RecordType
from govcredit.subjects.identifiers import mask_id_number
from govcredit.testing import XUANWU_ID, City, client_for

PHONE = "138 1234 5678"
FACTS = f"王小明（身份证号{XUANWU_ID}，电话{PHONE}）违规发放津贴补贴"


@pytest.fixture
def record(shared_city: City) -> CreditRecord:
    """A discipline of 王小明 (新街口街道, under 玄武区) by 玄武区, its facts naming him with his numbers."""
    return record_decision(RecordType.objects.get(code="jlcf").current(), {
        "处分决定文号": "玄纪〔2025〕21号", "处分机关": "玄武区纪委监委", "处分决定日期": "2025-05-06", "处分种类": "警告",
        "违纪违法事实": FACTS, "严重程度": "一般"},
        issuing_org=shared_city.orgs["xuanwu"], subject_person=shared_city.people["xuanwu"], actor="test")


def _leaks(text: str) -> list[str]:
    digits = XUANWU_ID
    return [s for s in (digits, digits[:6] + digits[6:14], PHONE, PHONE.replace(" ", ""), "王小明（") if s in text]


class TestReaders:
    def test_personnel_office_reads_it_masked_everywhere(self, shared_city: City, record: CreditRecord) -> None:
        client = client_for(shared_city.users["personnel"])
        page = client.get(reverse("archive:record_detail", args=[record.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        assert _leaks(html) == [] and mask_id_number(XUANWU_ID) in html and "违规发放津贴补贴" in html
        api = client_for(shared_city.users["personnel"], token=True).get(f"/api/records/{record.pk}")
        assert api.status_code == 200
        body = api.json()
        assert _leaks(body["facts"]) == [] and "违规发放津贴补贴" in body["facts"]
        assert _leaks(str(body["fields"])) == []
        timeline = client.get(reverse("subjects:person_detail", args=[shared_city.people["xuanwu"].pk]))
        assert timeline.status_code == 200 and _leaks(timeline.content.decode()) == []

    @pytest.mark.parametrize("role", ["district", "credit", "subject"])
    def test_writers_credit_office_and_the_person_read_it_as_written(self, shared_city: City, record: CreditRecord,
                                                                     role: str) -> None:
        page = client_for(shared_city.users[role]).get(reverse("archive:record_detail", args=[record.pk]))
        assert page.status_code == 200 and XUANWU_ID in page.content.decode()
        body = client_for(shared_city.users[role], token=True).get(f"/api/records/{record.pk}").json()
        assert body["facts"] == FACTS
