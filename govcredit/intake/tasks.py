"""Background entry points for django-q2 (``async_task("govcredit.intake.tasks.process_batch", id)``)."""

from __future__ import annotations


def process_batch(batch_id: int) -> str:
    from .services import run_batch

    batch = run_batch(batch_id)
    return f"{batch.status}：{batch.message}"
