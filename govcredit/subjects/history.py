"""How the ledger page finds the organisations and people a search text names (registered in ``apps.py``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .models import CivilServant, Organization, PostAssignment


def find_orgs(text: str) -> QuerySet[Any]:
    return Organization.objects.filter(Q(name__contains=text) | Q(credit_code=text.upper())).values("pk")


def find_people(text: str) -> QuerySet[Any]:
    return CivilServant.objects.filter(name=text).values("pk")


def find_posts(text: str) -> QuerySet[Any]:
    return PostAssignment.objects.filter(person__name=text).values("pk")
