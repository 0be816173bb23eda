"""Which records may be disclosed, and until when (defaults from the catalog, all configurable)."""

from __future__ import annotations

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.catalog.models import Disclosure
from govcredit.catalog.services import publication_exemption
from govcredit.subjects.identifiers import mask_name

from .models import UnpublishReason

# Shown on the portal (异议中 with its mark); the others end a publication, for these reasons.
SHOWN_STATUSES = (RecordStatus.VALID, RecordStatus.OBJECTION)
ENDING_STATUSES: dict[str, UnpublishReason] = {  # keyed by the stored status text
    RecordStatus.REVOKED: UnpublishReason.REVOKED,
    RecordStatus.REPAIRED: UnpublishReason.REPAIRED,
    RecordStatus.EXPIRED: UnpublishReason.EXPIRED,
}


def refusal(record: CreditRecord) -> str | None:
    """Why the record may not be disclosed, or None when it may (status and window aside)."""
    version = record.type_version
    if version.disclosure != Disclosure.PUBLIC:
        return f"公开属性为“{version.disclosure}”"
    severity = version.severity(record.severity) or {}
    if not severity.get("publish", False):
        return f"严重程度“{record.severity}”不予公示"
    return publication_exemption(version.publication or {}, record.data.get("penalty_kinds") or [],
                                 record.counterparty_kind, record.amount)


def public_name(record: CreditRecord) -> str:
    """The subject's name as the public sees it: every natural person masked (张*明).

    Unlike the internal ``subject_label``, a civil servant's name is masked too.
    """
    if record.subject_person is not None:
        return mask_name(record.subject_person.name)
    return record.subject_label
