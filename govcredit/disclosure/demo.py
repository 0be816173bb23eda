"""The portal's part of the demo city: its first publishing run, before the site says it is ready."""

from __future__ import annotations

from collections.abc import Mapping

from govcredit.core.demo import DemoRun

from .services import sync


def first_sync(run: DemoRun) -> Mapping[str, int]:
    """Publish what is due today and withdraw what has ended (the scheduled job, once, at once)."""
    result = sync(run.today)
    return {"发布公开信息": result.published, "撤下公开信息": result.withdrawn}
