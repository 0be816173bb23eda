"""Helpers of the sanctions tests (and the access matrices): records that trigger measures, made through the services."""

from __future__ import annotations

import datetime as dt
import itertools

from govcredit.archive.models import CreditRecord
from govcredit.archive.services import record_decision
from govcredit.catalog.models import RecordType
from govcredit.core import clock
from govcredit.subjects.models import CivilServant, Organization
from govcredit.testing import City

PDF = b"%PDF-1.4\n% minutes of the collective decision\n%%EOF\n"
_numbers = itertools.count(1)


def breach(city: City, org: str = "xinjiekou", severity: str = "一般", decided: dt.date | None = None) -> CreditRecord:
    """A 违约毁约 record about an organisation (punishments incl. 书面说明原因并限期整改), issued by 玄武区."""
    day = decided or clock.today() - dt.timedelta(days=5)
    return record_decision(RecordType.objects.get(code="wyhy").current(), {
        "认定文号": f"玄认〔2026〕{next(_numbers)}号", "认定机关": "玄武区人民政府", "认定日期": day.isoformat(),
        "合同名称": "道路养护合同", "违约情形": "未按约定付款", "严重程度": severity,
    }, issuing_org=city.orgs["xuanwu"], subject_org=city.orgs[org], actor="test")


def honour(city: City, person: CivilServant | None = None, org: Organization | None = None) -> CreditRecord:
    return record_decision(RecordType.objects.get(code="bzjl").current(), {
        "表彰文号": f"玄表〔2026〕{next(_numbers)}号", "表彰机关": "玄武区人民政府",
        "表彰日期": (clock.today() - dt.timedelta(days=3)).isoformat(), "荣誉名称": "优秀公务员", "表彰级别": "区级",
    }, issuing_org=city.orgs["xuanwu"], subject_person=person, subject_org=org, actor="test")


def integrity_model(city: City, person: CivilServant, decided: dt.date | None = None) -> CreditRecord:
    """A 诚信模范 recognition of a civil servant (a trustworthy record: the honour rule's rewards)."""
    day = decided or clock.today() - dt.timedelta(days=3)
    return record_decision(RecordType.objects.get(code="cxmf").current(), {
        "认定文号": f"玄诚〔2026〕{next(_numbers)}号", "认定机关": "玄武区人民政府", "认定日期": day.isoformat(),
        "模范称号": "诚信标兵", "认定级别": "区级", "主要事迹": "拾金不昧，守诺践诺",
    }, issuing_org=city.orgs["xuanwu"], subject_person=person, actor="test")


def add_sanctions(city: City) -> None:
    """For the access matrices: a 违约毁约 of 新街口街道 with its measures, its rectification case, and a
    fault-tolerance application on it filed by 玄武区 (``city.breach``, ``.measure``, ``.rectification``,
    ``.application``)."""
    from govcredit.sanctions.models import AppliedMeasure
    from govcredit.sanctions.workflow import RECTIFICATION, apply_fault_tolerance
    from govcredit.workflow.models import Case

    record = breach(city)
    city.breach = record
    measure = AppliedMeasure.objects.filter(record=record).order_by("pk").first()
    assert measure is not None
    city.measure = measure
    city.rectification = Case.objects.get(kind=RECTIFICATION.code, basis_id__in=[
        m.pk for m in AppliedMeasure.objects.filter(record=record)])
    city.application = apply_fault_tolerance(record, actor=city.users["district"],
                                             grounds=["及时止损"], statement="matrix")
