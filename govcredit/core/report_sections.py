"""The registry of a credit report's sections, kept in core so any app can add one from its ``apps.py``.

The reports app builds a report from the sections registered here (``reports/sections.py`` registers
the archive's own and re-exports this module); apps in its own layer or below it (objections and
repairs, measures, rectifications, fault-tolerance findings) register theirs without importing reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

Row = list[str]
SubjectFilter = dict[str, Any]  # {"subject_person": person} or {"subject_org": org}
SUBJECT_FIELDS = ("subject_person", "subject_org")
# holders(field, ids): of the subjects ``ids`` (primary keys; ``field`` is one of SUBJECT_FIELDS), those
# that may have rows in the section now (a superset is fine: it only lets a batch skip the others' query)
Holders = Callable[[str, list[int]], set[int]]


@dataclass(frozen=True)
class Section:
    """``rows(subject_filter, at)`` returns the section's rows for a subject (``{"subject_person": p}`` or
    ``{"subject_org": o}``) as it stood at ``at``; ``columns`` and ``widths`` (Typst column widths such as
    ``"auto"`` or ``"1fr"``) lay out its table; ``title`` and ``columns`` are called in the reader's
    language. ``holders`` (optional) answers for many subjects at once which may have rows, so a batch of
    reports (任前审查) reads one query per section for a group of candidates instead of one per candidate
    for those with none. Rows must not carry a full ID number or anyone's contact data: a report is filed on paper."""

    order: int
    title: Callable[[], str]
    columns: Callable[[], list[str]]
    widths: tuple[str, ...]
    rows: Callable[[SubjectFilter, dt.datetime], list[Row]]
    holders: Holders | None = None


_SECTIONS: dict[str, Section] = {}


def register_report_section(key: str, section: Section) -> None:
    _SECTIONS[key] = section


def registered_sections() -> list[tuple[str, Section]]:
    """``(key, section)`` in report order."""
    return sorted(_SECTIONS.items(), key=lambda item: (item[1].order, item[0]))


def person_or_org(subject: SubjectFilter, prefix: str) -> dict[str, Any]:
    """``subject`` as a filter through a relation: ``person_or_org({"subject_person": p}, "record__")`` is
    ``{"record__subject_person": p}``."""
    return {f"{prefix}{key}": value for key, value in subject.items()}


_holders: ContextVar[dict[str, dict[str, set[int]]] | None] = ContextVar("report_section_holders", default=None)


@contextmanager
def holders_known(ids: dict[str, list[int]]) -> Iterator[None]:
    """Within this block, :func:`may_have_rows` answers from one query per section for the subjects ``ids``
    (``{"subject_person": [pk, ...], "subject_org": [...]}``), read now: use it around a group of reports
    issued together, a few seconds' worth, so that a row added meanwhile is at most that late."""
    known = {key: {field: section.holders(field, pks) for field, pks in ids.items() if pks}
             for key, section in registered_sections() if section.holders is not None}
    token = _holders.set(known)
    try:
        yield
    finally:
        _holders.reset(token)


def may_have_rows(key: str, subject: SubjectFilter) -> bool:
    """False only when :func:`holders_known` has read that ``subject`` has no rows in section ``key``."""
    known = _holders.get()
    if known is None or key not in known:
        return True
    [(field, value)] = subject.items()
    holders = known[key].get(field)
    return holders is None or getattr(value, "pk", value) in holders
