"""Background entry point for django-q2 (``async_task("govcredit.commitments.tasks.process_import", id)``)."""

from __future__ import annotations


def process_import(job_id: int, worker: str | None = None) -> str:
    """``worker``: the claim :func:`~govcredit.commitments.runs.resume_stalled` took for this task."""
    from .runs import run_job

    job, _report = run_job(job_id, worker=worker)
    return f"{job.status}：{job.message}"
