"""What of a record the public may see, with personal data masked on the server.

One function masks personal data in text: :func:`govcredit.subjects.identifiers.mask_text` (ID numbers,
mobile and landline numbers however they are spaced, dotted, dashed or written, and the full names of
the natural persons the record is about). It is applied

* once, when a record is published (:func:`mask_publication`, called by ``services._publication``):
  a :class:`~govcredit.disclosure.models.Publication` holds only masked values, so every output built
  from it — portal pages, the public API, the search index, the open-data files — carries nothing else;
  :func:`remask_publications` brings publications made before a change of the masking rules up to date,
  through the ledger;
* to the record's own fields shown on a detail page (:func:`public_fields`), read live from the archive.

The names masked are those of the natural persons the record is about
(:func:`govcredit.archive.display.person_names`): the counterparty if it is a 自然人, the legal representative,
a civil servant subject. The structured
统一社会信用代码 is shown as it is: it identifies an organisation, not a person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from govcredit.archive.display import record_person_names
from govcredit.ledger.services import update_with_entries
from govcredit.subjects.identifiers import mask_name, mask_text

from .models import Publication, PublicAuthority
from .search import index_publications, unindex_ids

#: The publication's free-text columns the public sees, masked when published.
MASKED_COLUMNS = ("public_name", "decision_number", "authority_name")
CHUNK = 2000


def mask_publication(publication: Publication, names: Iterable[str]) -> bool:
    """Mask the publication's public text in place (:data:`MASKED_COLUMNS`); True when something changed."""
    names = list(names)
    changed = False
    for column in MASKED_COLUMNS:
        value = getattr(publication, column)
        masked = mask_text(value, names)
        if masked != value:
            setattr(publication, column, masked)
            changed = True
    return changed


def remask_publications(chunk: int = CHUNK) -> int:
    """Mask again every publication whose stored public text the current rules would mask further.

    Run by a data migration after the masking rules changed (and safe to run at any time: it writes
    nothing when everything is masked already). Each changed publication gets a ledger entry
    (``disclosure.remask``), and the public ones are re-indexed so that no search finds them by the
    old text. Returns the number of publications changed.
    """
    total = 0
    last = 0
    while True:
        with transaction.atomic():
            pubs = list(Publication.objects.select_for_update(of=("self",)).select_related("record", "record__subject_person")
                        .filter(pk__gt=last).order_by("pk")[:chunk])
            if not pubs:
                return total
            last = pubs[-1].pk
            authorities = {p.pk: p.authority_name for p in pubs}
            changed = [p for p in pubs if mask_publication(p, record_person_names(p.record))]
            if not changed:
                continue
            update_with_entries(Publication, changed, list(MASKED_COLUMNS), actor="system",
                                action="disclosure.remask", reason="按现行脱敏规则重新脱敏公开信息")
            public = [p for p in changed if p.is_public]
            unindex_ids([p.pk for p in public])
            index_publications(public)
            # the authority filter's list must not keep an authority name that no publication carries any more
            old = {authorities[p.pk] for p in changed} - {p.authority_name for p in changed}
            in_use = set(Publication.objects.filter(authority_name__in=old).values_list("authority_name", flat=True))
            PublicAuthority.objects.filter(name__in=old - in_use).delete()
            total += len(changed)


@dataclass(frozen=True)
class PublicField:
    """One labelled value on a detail page or in the detail JSON."""

    label: str
    value: str


# Fields never shown, whatever the record type: identity documents of persons. (publicity_end is
# shown once, by the portal itself, as 公示截止.)
HIDDEN_KEYS = frozenset({"id_type", "id_number", "legal_rep_id_type", "legal_rep_id_number"})
HIDDEN_COLUMNS = frozenset({"counterparty_id", "legal_rep_id", "publicity_end"})


def display(value: Any) -> str:
    """A stored value as text: lists joined with 、, amounts without trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "、".join(display(v) for v in value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def public_fields(fields: list[dict[str, Any]], values: dict[str, Any], *, public_name: str,
                  person_names: Iterable[str]) -> list[PublicField]:
    """The labelled public values of a record, in the order of its catalog field schema.

    ``fields`` is the record type version's field schema; ``values`` maps a field's ``column``
    (when it has one) or ``key`` to the stored value; ``public_name`` is the already masked name
    kept on the publication; ``person_names`` are the full names to mask inside free text.
    """
    names = list(person_names)
    out: list[PublicField] = []
    for spec in fields:
        key, column = spec["key"], spec.get("column")
        if key in HIDDEN_KEYS or column in HIDDEN_COLUMNS:
            continue
        text = display(values.get(column or key))
        if column == "counterparty_name":
            text = public_name
        elif column == "legal_representative":
            text = mask_name(text) if text else ""
        elif spec.get("type") != "credit_code":  # a validated GB 32100 code names an organisation: shown as it is
            text = mask_text(text, names)
        if text:
            out.append(PublicField(str(spec.get("label") or key), text))
    return out
