"""Who files a new record and whom it is about: resolved and refused in one place for the web form and
the API, so that both refuse an out-of-scope organisation or person with the same words (and neither
quietly files the record under another one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from govcredit.accounts import access
from govcredit.subjects.models import CivilServant, Organization
from govcredit.subjects.selectors import visible_orgs, visible_people

MSG_ISSUER = "无权以该单位名义报送：单位不存在或不在您的管辖范围内"
MSG_SUBJECT_ORG = "无权为该单位录入记录：单位不存在或不在您的管辖范围内"
MSG_SUBJECT_PERSON = "无权为该公务员录入记录：公务员不存在或不在您的管辖范围内"


@dataclass(frozen=True)
class Parties:
    issuing_org: Organization
    subject_org: Organization | None
    subject_person: CivilServant | None


def resolve_parties(user: Any, *, issuing_org: int | None, subject_org: int | None = None,
                    subject_person: int | None = None) -> Parties:
    """The organisations and person a new record names, by id, each within the user's scope.

    No ``issuing_org`` means the user's own organisation; an id that is absent or outside the scope
    raises PermissionDenied (403) with a message that does not tell which of the two it is.
    """
    issuer = (visible_orgs(user).filter(pk=issuing_org).first() if issuing_org is not None
              else getattr(user, "organization", None))
    if issuer is None or not access.can_write_records_for(user, issuer):
        raise PermissionDenied(MSG_ISSUER)
    org = person = None
    if subject_org is not None:
        org = visible_orgs(user).filter(pk=subject_org).first()
        if org is None:
            raise PermissionDenied(MSG_SUBJECT_ORG)
    if subject_person is not None:
        person = visible_people(user).filter(pk=subject_person).first()
        if person is None:
            raise PermissionDenied(MSG_SUBJECT_PERSON)
    return Parties(issuer, org, person)
