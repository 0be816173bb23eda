"""The kind registry: each capability app declares its obligations here from its ``apps.py``.

A kind is a small declarative state machine (states, the steps between them and who may take each)
plus its deadline rule (how many working or calendar days, reminders before the due date, escalation
after it). The engine (:mod:`.services`) is the only code that moves a case; a kind holds no code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from govcredit.accounts.models import Role

SYSTEM = "system"  # the actor name of the scheduled jobs and services that close cases themselves


@dataclass(frozen=True)
class Step:
    """One allowed transition: from ``source`` to ``target``, by users of ``roles`` (in the case's scope)
    and, with ``system``, by the services and jobs of the application."""

    source: str
    target: str
    label: str
    roles: frozenset[Role] = frozenset()
    system: bool = False


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    initial: str
    final: frozenset[str]
    steps: tuple[Step, ...]
    days: int  # the time allowed, counted from the day the case is opened
    working_days: bool = True  # working days (State Council calendar) or calendar days
    reminders: tuple[int, ...] = ()  # remind this many (working or calendar) days before the due date
    escalate_after: int = 1  # escalate this many days after the due date has passed
    owner_roles: frozenset[Role] = frozenset()  # the owing side's roles: their inbox shows its open cases
    escalation_roles: frozenset[Role] = frozenset({Role.CREDIT_OFFICE})
    states: tuple[str, ...] = field(default=())
    # Where users take the steps of a kind whose steps have effects beyond the case (a record's status, a
    # correction): its app's own service, named here; the generic transition API then refuses them, so no
    # step can be taken there without its effect. Empty: the generic API takes the steps.
    handled_by: str = ""

    def __post_init__(self) -> None:
        named = {self.initial, *self.final} | {s.source for s in self.steps} | {s.target for s in self.steps}
        if not self.states:
            object.__setattr__(self, "states", tuple(sorted(named)))
        elif not named <= set(self.states):
            raise ValueError(f"办理事项 {self.code} 的转换用到了未声明的状态：{sorted(named - set(self.states))}")
        if any(s.source in self.final for s in self.steps):
            raise ValueError(f"办理事项 {self.code} 的终止状态不能再转换")

    def step(self, source: str, target: str) -> Step | None:
        return next((s for s in self.steps if s.source == source and s.target == target), None)

    def acting_roles(self, state: str) -> set[Role]:
        """Roles that may take some step out of ``state``."""
        return {r for s in self.steps if s.source == state for r in s.roles}


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Called from an app's ``ready()``; registering the same kind again (tests, reloads) replaces it."""
    _KINDS[kind.code] = kind
    return kind


def unregister(code: str) -> None:
    _KINDS.pop(code, None)


def get(code: str) -> Kind:
    return _KINDS[code]


def all_kinds() -> list[Kind]:
    return list(_KINDS.values())
