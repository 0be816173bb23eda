"""双公示 statistics: one precomputed fact per licensing or penalty decision, and the refresh state.

The facts are a derived table (rebuilt from the archive and the publications at any time), so they
are plain models, not ledgered ones. Everything that needs Python per decision (re-validating the
field values, the working-day deadline under the holiday calendar, the disclosure rules) is done
once per changed decision by :func:`govcredit.statistics.services.refresh`; the rates themselves
are aggregate queries over this table.
"""

from __future__ import annotations

from django.db import models

from govcredit.archive.models import CreditRecord
from govcredit.catalog.models import RecordType
from govcredit.subjects.models import Organization


class DecisionFact(models.Model):
    """The timeliness and completeness of one 双公示 decision (a record whose version has double_publicity)."""

    record = models.OneToOneField(CreditRecord, verbose_name="信用记录", primary_key=True, on_delete=models.CASCADE,
                                  related_name="statistics_fact")
    issuing_org = models.ForeignKey(Organization, verbose_name="决定单位", on_delete=models.PROTECT, related_name="+")
    record_type = models.ForeignKey(RecordType, verbose_name="信息类别", on_delete=models.PROTECT, related_name="+")
    decision_date = models.DateField("决定日期")
    month = models.DateField("统计月份（决定日期所在月的1日）")
    limit_workdays = models.PositiveSmallIntegerField("应在几个工作日内公示")
    last_on_time_day = models.DateField(
        "按时公示的最后一天", help_text="决定日期后第 N+1 个工作日的前一天：在此之前（含）公开即为按时")
    published_on = models.DateField("公开日期（本地）", null=True, blank=True)
    workdays = models.IntegerField("决定至公开的工作日数", null=True, blank=True)
    estimated = models.BooleanField("按周一至周五估算", default=False,
                                    help_text="涉及尚未录入节假日安排的年份")
    due = models.BooleanField("应公示", default=True)
    not_due_reason = models.CharField("不需公示的原因", max_length=200, blank=True)
    complete = models.BooleanField("数据完整", default=False)
    problems = models.JSONField("数据问题（字段名称 → 说明）", default=dict, blank=True)
    record_updated_at = models.DateTimeField("记录更新时间（计算时）")
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    class Meta:
        verbose_name = "双公示统计事实"
        verbose_name_plural = "双公示统计事实"
        indexes = [
            models.Index(fields=["month", "issuing_org"], name="stat_fact_month_org"),
            models.Index(fields=["issuing_org", "month"], name="stat_fact_org_month"),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.decision_date}"


class MonthlyFigure(models.Model):
    """The counts of one (month, issuing organisation), as of ``as_of``: what the pages read.

    Rebuilt by every refresh for the months it touched (and, on a new day, for the months whose undecided
    decisions may have passed their deadline), so a page sums a few thousand rows instead of scanning facts.
    """

    month = models.DateField("统计月份")
    issuing_org = models.ForeignKey(Organization, verbose_name="决定单位", on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField("统计截至")
    total = models.PositiveIntegerField("双公示决定数", default=0)
    complete = models.PositiveIntegerField("数据完整数", default=0)
    due = models.PositiveIntegerField("应公示数", default=0)
    on_time = models.PositiveIntegerField("按时公示数", default=0)
    late_published = models.PositiveIntegerField("逾期公示数", default=0)
    overdue_unpublished = models.PositiveIntegerField("逾期未公示数", default=0)
    pending = models.PositiveIntegerField("期限内待公示数", default=0)
    workdays_sum = models.PositiveBigIntegerField("公示用时合计（工作日）", default=0)
    estimated = models.PositiveIntegerField("按周一至周五估算的决定数", default=0)

    class Meta:
        verbose_name = "双公示月度统计"
        verbose_name_plural = "双公示月度统计"
        constraints = [models.UniqueConstraint(fields=["month", "issuing_org"], name="stat_monthly_month_org")]
        indexes = [models.Index(fields=["issuing_org", "month"], name="stat_monthly_org_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.issuing_org_id}"


class RefreshState(models.Model):
    """A single row: when the facts were last refreshed and what they were computed under.

    Which refresh runs, its progress and its last result are the job's
    :class:`~govcredit.core.models.JobState` row (``statistics.services.JOB``).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_finished = models.DateTimeField("上次完成", null=True, blank=True)
    last_count = models.PositiveIntegerField("上次重新计算的决定数", default=0)
    last_seconds = models.FloatField("上次耗时（秒）", default=0)
    calendar_signature = models.CharField("节假日安排指纹", max_length=64, blank=True)
    summarised_on = models.DateField("月度统计截至", null=True, blank=True)

    class Meta:
        verbose_name = "统计刷新状态"
        verbose_name_plural = "统计刷新状态"

    def __str__(self) -> str:
        return f"统计刷新于 {self.last_finished}"
