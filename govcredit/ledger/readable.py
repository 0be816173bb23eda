"""Ledger entries as people read them: the action in words, the person and their organisation, the reason,
each changed field as old → new (masked as the reader's role requires), and a link to what the entry is about.

What an entry is about is named by the app that owns it: each app registers, from its ``apps.py``, its
entity types with a label and the page that shows one row (:func:`register_entity`), and a finder that
turns a search text into the ids of its rows (the ledger page's "subject" search). The ledger names none
of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from govcredit.accounts import access
from govcredit.subjects.identifiers import mask_text

from . import events
from .models import EPOCH, LedgerEntry

#: A finder: search text → the ids of the rows of its entity type the text names (a queryset of ids).
Finder = Callable[[str], "models.QuerySet[Any]"]
#: Natural persons a row is about: ids → {id: the persons' full names}, for the rows about natural persons
#: (a record about a private individual). Readers who may not see personal data read those names masked
#: wherever they occur in the row's entries, old values of the row's ``ledger_person_names`` columns too.
PersonNames = Callable[[list[int]], dict[int, set[str]]]


@dataclass(frozen=True)
class Entity:
    """An entity type entries are written about: its label in both languages, the URL name of its page
    (reversed with the row's id), and how to find its rows by a search text."""

    entity_type: str
    zh: str
    en: str
    url_name: str = ""
    finder: Finder | None = None
    persons: PersonNames | None = None

    def label(self) -> str:
        return self.en if (translation.get_language() or "").startswith("en") else self.zh


_ENTITIES: dict[str, Entity] = {}


def register_entity(entity_type: str, zh: str, en: str, *, url_name: str = "", finder: Finder | None = None,
                    persons: PersonNames | None = None) -> None:
    """Name an entity type (``app_label.model``) for history pages; from the owning app's ``ready()``."""
    _ENTITIES[entity_type] = Entity(entity_type, zh, en, url_name, finder, persons)


def entities() -> dict[str, Entity]:
    return dict(_ENTITIES)


def about(text: str) -> Q | None:
    """Entries about the rows some registered finder finds for ``text``; None when no finder knows any."""
    where: Q | None = None
    for entity in _ENTITIES.values():
        if entity.finder is None:
            continue
        ids = entity.finder(text)
        part = Q(entity_type=entity.entity_type, entity_id__in=ids)
        where = part if where is None else where | part
    return where


@dataclass(frozen=True)
class ChangedField:
    field: str  # the column's label
    old: str
    new: str
    hidden: bool = False  # a column whose values are never shown (ciphers, password hashes)
    data: bool = True  # values are data (names, text: marked translate="no"), not choices, yes/no or times


@dataclass
class ReadableEntry:
    seq: int
    at: dt.datetime
    actor: str
    action: str
    action_label: str
    person: str
    organization: str
    reason: str
    subject: str
    url: str
    changes: list[ChangedField] = field(default_factory=list)

    @property
    def time(self) -> dt.datetime:
        return self.at


SYSTEM_NAMES = {"system", ""}


def describe(entries: Iterable[LedgerEntry], reader: Any, *, data_labels: dict[str, str] | None = None
             ) -> list[ReadableEntry]:
    """The entries as ``reader`` may read them. ``data_labels``: labels of the keys of a JSON column
    (a record's catalog fields), shown instead of the keys."""
    rows = list(entries)
    users = _users({e.actor_user_id for e in rows if e.actor_user_id is not None})
    full = access.can_see_full_id(reader)
    persons = {} if full else _persons(rows)
    refs = _references(rows)
    out = []
    for e in rows:
        names = _names(e, persons.get((e.entity_type, e.entity_id or 0)))
        user = users.get(e.actor_user_id) if e.actor_user_id is not None else None
        if user is not None:
            person = user.get_full_name() or user.get_username()
            organisation = user.organization.name if user.organization_id else ""
        else:
            person = _("系统") if e.actor in SYSTEM_NAMES else e.actor
            organisation = ""
        entity = _ENTITIES.get(e.entity_type)
        out.append(ReadableEntry(
            seq=e.seq, at=e.created_at, actor=e.actor, action=e.action, action_label=events.label(e.action),
            person=person, organization=organisation, reason=e.reason if full else mask_text(e.reason, names),
            subject=_subject(entity, e.entity_type, e.entity_id),
            url=_url(entity, e.entity_id), changes=_changes(e, full, data_labels or {}, names, refs),
        ))
    return out


def _persons(rows: list[LedgerEntry]) -> dict[tuple[str, int], set[str]]:
    """(entity type, id) → the natural persons' names of the rows that are about natural persons."""
    ids: dict[str, set[int]] = {}
    for e in rows:
        entity = _ENTITIES.get(e.entity_type)
        if e.entity_id is not None and entity is not None and entity.persons is not None:
            ids.setdefault(e.entity_type, set()).add(e.entity_id)
    out: dict[tuple[str, int], set[str]] = {}
    for entity_type, pks in ids.items():
        provider = _ENTITIES[entity_type].persons
        assert provider is not None
        for pk, names in provider(sorted(pks)).items():
            out[(entity_type, pk)] = names
    return out


def _names(entry: LedgerEntry, persons: set[str] | None) -> set[str]:
    """The names to mask in an entry about natural persons: theirs now and those its changes name."""
    if persons is None:
        return set()
    model = _model(entry.entity_type)
    names = set(persons)
    for column in getattr(model, "ledger_person_names", ()):
        pair = entry.changed_values.get(column)
        if pair:
            names.update(str(v) for v in pair if v)
    return names


def _users(ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {u.pk: u for u in get_user_model()._base_manager.select_related("organization").filter(pk__in=ids)}


def _subject(entity: Entity | None, entity_type: str, entity_id: int | None) -> str:
    """What an entry is about: the registered label (else the model's name, in the page's language, else the
    type) and the id."""
    if entity is not None:
        label = entity.label()
    else:
        model = _model(entity_type)
        label = model_name(model) if model is not None else entity_type
    return label if entity_id is None else f"{label} #{entity_id}"


def _url(entity: Entity | None, entity_id: int | None) -> str:
    if entity is None or not entity.url_name or entity_id is None:
        return ""
    try:
        return reverse(entity.url_name, args=[entity_id])
    except NoReverseMatch:
        return ""


def _model(entity_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(entity_type)
    except (LookupError, ValueError):
        return None


def model_name(model: type[models.Model]) -> str:
    """A model's name in the page's language. Models name themselves in Chinese (``verbose_name``, plain
    strings); their English names are msgids of the project's catalogue (block "Model and field names"),
    which ``ledger/tests/test_readable_english.py`` checks for every ledgered model."""
    return _(str(model._meta.verbose_name))


def field_name(column: models.Field[Any, Any]) -> str:
    """A column's name in the page's language (see :func:`model_name`)."""
    return _(str(column.verbose_name))


Refs = dict[tuple[type[models.Model], int], str]


def _references(rows: list[LedgerEntry]) -> Refs:
    """The rows the changed foreign keys of ``rows`` point to, by (model, id) → their name: one query per
    model for the whole page, not one per value."""
    wanted: dict[type[models.Model], set[int]] = {}
    for e in rows:
        model = _model(e.entity_type) if e.changes else None
        if model is None:
            continue
        columns = {f.attname: f for f in model._meta.concrete_fields}
        for name, pair in e.changed_values.items():
            column = columns.get(name)
            if isinstance(column, models.ForeignKey) and pair is not None:
                wanted.setdefault(column.related_model, set()).update(v for v in pair if isinstance(v, int))  # type: ignore[arg-type]
    return {(model, pk): str(row) for model, pks in wanted.items()
            for pk, row in model._base_manager.in_bulk(sorted(pks)).items()}


def _changes(entry: LedgerEntry, full: bool, data_labels: dict[str, str], names: set[str], refs: Refs
             ) -> list[ChangedField]:
    values = entry.changed_values
    if not values:
        return []
    model = _model(entry.entity_type)
    columns = {f.attname: f for f in model._meta.concrete_fields} if model else {}
    out: list[ChangedField] = []
    for name, pair in sorted(values.items()):
        column = columns.get(name)
        label = capfirst(field_name(column)) if column is not None else name
        if pair is None:
            out.append(ChangedField(label, "", "", hidden=True))
        elif isinstance(pair[0], dict) or isinstance(pair[1], dict):
            old, new = pair[0] or {}, pair[1] or {}
            for key in sorted(set(old) | set(new)):
                if old.get(key) != new.get(key):
                    out.append(ChangedField(f"{label} · {data_labels.get(key, key)}",
                                            _text(None, old.get(key), full, names, refs),
                                            _text(None, new.get(key), full, names, refs)))
        else:
            out.append(ChangedField(label, _text(column, pair[0], full, names, refs),
                                    _text(column, pair[1], full, names, refs), data=_is_data(column)))
    return out


def _is_data(column: models.Field[Any, Any] | None) -> bool:
    """Are the column's values data? A choice, a yes/no or a date is shown in the page's language."""
    return not (column is not None and (column.choices or isinstance(column, models.BooleanField | models.DateField)))


def _text(column: models.Field[Any, Any] | None, value: Any, full: bool, names: set[str], refs: Refs) -> str:
    """A canonical value as a reader sees it; personal numbers and the natural persons' ``names`` masked
    unless the reader may see them."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(column, models.BooleanField) or isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(column, models.DateTimeField) and isinstance(value, int):
        return timezone.localtime(EPOCH + dt.timedelta(microseconds=value)).strftime("%Y-%m-%d %H:%M")
    if column is not None and column.choices:
        value = dict(column.flatchoices).get(value, value)
    elif isinstance(column, models.ForeignKey) and isinstance(value, int):
        row = refs.get((column.related_model, value))  # type: ignore[arg-type]
        value = f"{row} (#{value})" if row is not None else f"#{value}"
    if isinstance(value, list):
        text = _("、").join(str(v) for v in value)
    elif isinstance(value, dict):
        text = _("；").join(f"{k}{_('：')}{v}" for k, v in value.items())
    else:
        text = str(value)
    return text if full else mask_text(text, names)
