"""What the apps add to the demo city (``govcredit demo-data``), registered from their ``apps.py`` ``ready()``.

The demo app writes the city (organisations, civil servants, records and their publication history)
through the services, then runs the registered steps in their ``order``, in the same transaction:
an app whose data build on the city (objections, sanctions, ...) registers a step that makes them
through its own services, and the portal's first publishing run (800) and the first statistics
refresh (900) come last, so the site is ready with everything on it when the command ends. ``core``
cannot import the apps, hence the registry.

A step receives a :class:`DemoRun` and returns counts for the command's summary (label → number).
It must be deterministic for a seed (use :meth:`DemoRun.rng`), go through the app's services (ledger
entries included), and show a tqdm bar on stderr when ``run.progress`` is set and it takes long.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoRun:
    seed: int
    scale: float
    today: dt.date
    progress: bool

    def rng(self, stage: str) -> random.Random:
        """An independent random stream for one step, fixed by the seed."""
        return random.Random(f"govcredit-demo:{self.seed}:{stage}")


@dataclass(frozen=True)
class DemoStep:
    order: int
    label: str  # Chinese, shown with its time in the command's output
    run: Callable[[DemoRun], Mapping[str, int]]


_STEPS: dict[str, DemoStep] = {}


def register_demo_step(key: str, step: DemoStep) -> None:
    """Add (or, called again under the same key, replace) an app's step of the demo city."""
    _STEPS[key] = step


def demo_steps() -> list[DemoStep]:
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.label))
