"""Background entry points for django-q2 (``async_task("govcredit.intake.tasks.process_batch", id)``)."""

from __future__ import annotations


def process_batch(batch_id: int, worker: str | None = None) -> str:
    """``worker``: the claim :func:`~govcredit.intake.services.resume_stalled` took for this task."""
    from .services import run_batch

    batch = run_batch(batch_id, worker=worker)
    return f"{batch.status}：{batch.message}"
