"""What each user may see of the workflow: one scope used by the inbox, the pages, the API and the services.

Which cases a role reaches is the access policy's (``access.case_scope``: the archive's subtree rule applied
to whoever owes the case); this module turns it into the querysets readers start from.

A user also *follows* cases it does not owe: an objection or a repair about a subject's record is owed by
the department that submitted the record, yet the subject waits for its outcome. Which basis rows a user
follows is told by the app that owns them (:func:`register_followed_basis`, from its ``apps.py``): the
subject follows the cases whose basis is one of those rows. It may read them (:func:`visible_cases`, its
inbox) but acts only on the cases it owes (:func:`owed_cases`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from govcredit.accounts import access

from .models import Case, Notification

#: For a user, the rows of one model whose cases it follows (a queryset with their ``pk``), or None for none.
FollowedRows = Callable[[Any], "QuerySet[Any] | None"]
_FOLLOWED: dict[str, FollowedRows] = {}


def register_followed_basis(model_label: str, rows: FollowedRows) -> None:
    """``model_label`` ("app_label.model"): the cases based on the rows ``rows(user)`` returns are followed
    by ``user``. Called from an app's ``ready()``; registering a label again replaces it."""
    _FOLLOWED[model_label.lower()] = rows


def followed_filter(user: Any) -> Q | None:
    """A filter on cases for those ``user`` follows (their basis is one of its rows); None means none."""
    q: Q | None = None
    for label, rows in _FOLLOWED.items():
        found = rows(user)
        if found is None:
            continue
        app_label, model = label.split(".", 1)
        ct = ContentType.objects.get_by_natural_key(app_label, model)
        part = Q(basis_type=ct, basis_id__in=found.values("pk"))
        q = part if q is None else q | part
    return q


def owed_cases(user: Any) -> QuerySet[Case]:
    """The cases ``user`` may act on: those its scope holds as the owing side (or city-wide)."""
    scope = access.case_scope(user)
    if scope is None:
        return Case.objects.none()
    return Case.objects.filter(scope).select_related("debtor_org", "debtor_person")


def visible_cases(user: Any) -> QuerySet[Case]:
    """The cases ``user`` may see, with the owing side: those it may act on and those it follows."""
    scope, followed = access.case_scope(user), followed_filter(user)
    if scope is None and followed is None:
        return Case.objects.none()
    q = scope if followed is None else (followed if scope is None else scope | followed)
    return Case.objects.filter(q).select_related("debtor_org", "debtor_person")


def notifications_of(user: Any) -> QuerySet[Notification]:
    """The user's own notifications, newest first (none for an anonymous user)."""
    return Notification.objects.filter(user_id=getattr(user, "pk", None) or 0).order_by("-created_at", "-pk")
