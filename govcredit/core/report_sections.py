"""The registry of a credit report's sections, kept in core so any app can add one from its ``apps.py``.

The reports app builds a report from the sections registered here (``reports/sections.py`` registers
the archive's own and re-exports this module); apps in its own layer or below it (objections and
repairs, measures, rectifications, fault-tolerance findings) register theirs without importing reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Row = list[str]
SubjectFilter = dict[str, Any]  # {"subject_person": person} or {"subject_org": org}


@dataclass(frozen=True)
class Section:
    """``rows(subject_filter, at)`` returns the section's rows for a subject (``{"subject_person": p}`` or
    ``{"subject_org": o}``) as it stood at ``at``; ``columns`` and ``widths`` (Typst column widths such as
    ``"auto"`` or ``"1fr"``) lay out its table; ``title`` and ``columns`` are called in the reader's
    language. Rows must not carry a full ID number or anyone's contact data: a report is filed on paper."""

    order: int
    title: Callable[[], str]
    columns: Callable[[], list[str]]
    widths: tuple[str, ...]
    rows: Callable[[SubjectFilter, dt.datetime], list[Row]]


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
