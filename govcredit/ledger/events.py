"""The registry of ledger event types: each action code an app writes into the ledger, with a Chinese
and an English label for people who read the history.

Each app registers the codes it writes from its ``apps.py`` ``ready()``, so the ledger (below every
app that writes to it) names none of them; a history page shows an entry's label in the page's
language, and the code itself for an entry no app registers (e.g. one written by an older version).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation


@dataclass(frozen=True)
class EventType:
    code: str
    zh: str
    en: str

    def label(self) -> str:
        """The label in the active language (English under ``/en/``, Chinese otherwise)."""
        return self.en if (translation.get_language() or "").startswith("en") else self.zh


_EVENT_TYPES: dict[str, EventType] = {}


def register_event_type(code: str, zh: str, en: str) -> None:
    """Register an action code and its labels; a code means one thing, so a second, different
    registration of it is refused."""
    event = EventType(code, zh, en)
    if _EVENT_TYPES.get(code, event) != event:
        raise ValueError(f"{code}: this ledger event type is registered already, with other labels")
    _EVENT_TYPES[code] = event


def event_types() -> dict[str, EventType]:
    return dict(_EVENT_TYPES)


def label(code: str) -> str:
    event = _EVENT_TYPES.get(code)
    return event.label() if event else code
