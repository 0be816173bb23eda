"""The state of long background jobs that pages show (统计刷新, 账本核验): what runs, how far, how it ended."""

from __future__ import annotations

from django.db import models


class JobState(models.Model):
    """One row per job name: a claim (only one run at a time), its progress, and the last result.

    Pages read this row and never run the job themselves; a request to run it only enqueues it
    (see :func:`govcredit.core.jobs.request_run`).
    """

    name = models.CharField("任务", max_length=100, primary_key=True)
    requested_at = models.DateTimeField("已请求运行（排队中）", null=True, blank=True)
    running_since = models.DateTimeField("正在运行（开始时间）", null=True, blank=True)
    heartbeat = models.DateTimeField("最近进展时间", null=True, blank=True)
    progress = models.BigIntegerField("已处理", default=0)
    total = models.BigIntegerField("预计总数", null=True, blank=True)
    last_started = models.DateTimeField("上次开始", null=True, blank=True)
    last_finished = models.DateTimeField("上次完成", null=True, blank=True)
    last_ok = models.BooleanField("上次结果正常", null=True, blank=True)
    last_result = models.JSONField("上次结果", default=dict, blank=True)

    class Meta:
        verbose_name = "后台任务状态"
        verbose_name_plural = "后台任务状态"

    def __str__(self) -> str:
        return self.name

    @property
    def running(self) -> bool:
        return self.running_since is not None

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(self.progress * 100 / self.total))
