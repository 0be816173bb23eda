"""What the investor's public page shows of a promise, masked on the server before it reaches a template
or an answer: the investor's name masked as a person's name unless it carries a credit code (a company),
the terms, basis and changes through ``mask_text`` (ID and phone numbers, the investor's name), no phone
number, and posts rather than the names of the civil servants who hold them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from govcredit.subjects.identifiers import mask_name, mask_text

from .models import OPEN_PROMISE, Promise


@dataclass(frozen=True)
class ShownChange:
    decided_on: dt.date
    legal_basis: str
    procedure: str
    new_terms: str
    new_due_on: dt.date
    terminates: bool


@dataclass(frozen=True)
class ShownPromise:
    number: str
    org: str
    investor: str
    kind: str
    terms: str
    legal_basis: str
    document: str
    amount: Decimal | None
    promised_on: dt.date
    due_on: dt.date
    status: str
    kept_on: dt.date | None
    overdue: bool
    responsible_post: str
    changes: list[ShownChange]
    compensation: Decimal


def investor_shown(promise: Promise) -> str:
    return promise.investor_name if promise.investor_code else mask_name(promise.investor_name)


def shown(promise: Promise, today: dt.date) -> ShownPromise:
    names = [promise.investor_name]

    def m(text: str) -> str:
        return mask_text(text, names)

    changes = [ShownChange(c.decided_on, m(c.legal_basis), m(c.procedure), m(c.new_terms), c.new_due_on, c.terminates)
               for c in promise.changes.order_by("recorded_at", "pk")]
    paid = sum((c.amount for c in promise.compensations.all()), Decimal(0))
    return ShownPromise(
        number=promise.number, org=promise.org.name, investor=investor_shown(promise), kind=promise.kind,
        terms=m(promise.terms), legal_basis=m(promise.legal_basis), document=m(promise.document), amount=promise.amount,
        promised_on=promise.promised_on, due_on=promise.due_on, status=promise.status, kept_on=promise.kept_on,
        overdue=promise.status in OPEN_PROMISE and promise.due_on < today, responsible_post=promise.responsible_post,
        changes=changes, compensation=paid)
