"""Background entry point for django-q2 (``async_task("govcredit.commitments.tasks.process_import", id)``)."""

from __future__ import annotations


def process_import(job_id: int) -> str:
    from .runs import run_job

    job, _report = run_job(job_id)
    return f"{job.status}：{job.message}"
