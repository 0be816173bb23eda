"""The duties and promises in the generic obligations register (app ``obligations``).

Every PPP duty and investment promise with a due date is registered there as an ``Obligation``, which
brings the daily overdue job, the breach candidates (违约毁约, for the organisation and the person
responsible, confirmed or dismissed by the credit office, never automatic) and the department and city
views. This module is the only place that talks to that register.
"""

from __future__ import annotations

from govcredit.ledger.services import Actor

from .models import Duty, Promise

DUTY_KIND = "commitments.duty"
PROMISE_KIND = "commitments.promise"


def register_duty(duty: Duty, actor: Actor) -> None:
    """Register the duty as an obligation (filled in when the register's interface is merged)."""


def settle_duty(duty: Duty, actor: Actor) -> None:
    """Close the duty's obligation as fulfilled."""


def register_promise(promise: Promise, actor: Actor) -> None:
    """Register the promise as an obligation."""


def settle_promise(promise: Promise, actor: Actor) -> None:
    """Close the promise's obligation (kept, or lawfully ended)."""


def reschedule_promise(promise: Promise, actor: Actor) -> None:
    """Give the promise's obligation its new due date after a lawful change."""
