"""How the ledger page finds the records a search text names (registered in ``apps.py``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .models import CounterpartyKind, CreditRecord


def find_records(text: str) -> QuerySet[Any]:
    """Ids of the records whose decision number, counterparty, subject organisation (name or credit code)
    or subject person's name contains ``text``."""
    return CreditRecord.objects.filter(
        Q(decision_number__contains=text) | Q(counterparty_name__contains=text) | Q(counterparty_code=text.upper())
        | Q(subject_org__name__contains=text) | Q(subject_org__credit_code=text.upper())
        | Q(subject_person__name=text)).values("pk")


def natural_persons(ids: list[int]) -> dict[int, set[str]]:
    """The records about private individuals among ``ids``, with the individual's name (masked in the
    history for readers who may not see personal data, as the API masks it)."""
    rows = CreditRecord.objects.filter(pk__in=ids, counterparty_kind=CounterpartyKind.NATURAL)
    return {pk: {name} for pk, name in rows.values_list("pk", "counterparty_name")}
