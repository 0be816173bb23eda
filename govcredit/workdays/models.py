"""A year's holiday schedule entered by the credit office.

The ``chinesecalendar`` package is the maintained source, but it is only updated after the State
Council publishes the next year's notice (usually in November) and after we upgrade it. A
:class:`YearSchedule` fills that gap, and when one exists it overrides the package for its year.
Only the exceptions are stored: days off that would be Monday–Friday (plus, optionally, the
weekend days of the same holiday period) and weekend days that are working days (调休上班日).

Both are ledgered models: a schedule is entered or replaced only through ``services.import_schedule``,
each row with its ledger entry. Nothing is deleted: a day a replacement no longer lists is kept as
withdrawn (an ordinary day again), with the entry saying so.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from govcredit.ledger.models import LedgeredModel

MIN_YEAR = 1949
MAX_YEAR = 2200


class YearSchedule(LedgeredModel):
    year = models.PositiveSmallIntegerField(
        "年份",
        unique=True,
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)],
    )
    source = models.CharField(
        "来源",
        max_length=255,
        blank=True,
        help_text="例如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）",
    )
    note = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = "年度节假日安排"
        verbose_name_plural = "年度节假日安排"

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"


class ScheduleDay(LedgeredModel):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("休息日（法定节假日）")
        WORKDAY = "workday", _("调休上班日")
        WITHDRAWN = "withdrawn", _("已撤回（按常规）")

    schedule = models.ForeignKey(
        YearSchedule, verbose_name="年度安排", on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("节日名称", max_length=64, blank=True, help_text="例如：春节、国庆节")

    class Meta:
        ordering = ["date"]
        verbose_name = "节假日安排日期"
        verbose_name_plural = "节假日安排日期"

    def __str__(self) -> str:
        label = f"{self.date:%Y-%m-%d} {self.get_kind_display()}"
        return f"{label}（{self.name}）" if self.name else label

    def clean(self) -> None:
        errors: dict[str, str] = {}
        try:
            schedule = self.schedule
        except ObjectDoesNotExist:
            schedule = None
        if self.date is not None:
            if schedule is not None and schedule.year and self.date.year != schedule.year:
                errors["date"] = f"日期 {self.date:%Y-%m-%d} 不在 {schedule.year} 年内"
            elif self.kind == self.Kind.WORKDAY and self.date.weekday() < 5:
                # A make-up working day is always a Saturday or Sunday; a weekday here is a typo.
                errors["date"] = f"{self.date:%Y-%m-%d} 本来就是周一至周五，不能登记为调休上班日"
        if errors:
            raise ValidationError(errors)
