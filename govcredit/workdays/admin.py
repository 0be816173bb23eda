from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ScheduleDay, YearSchedule


class ScheduleDayInline(admin.TabularInline):
    model = ScheduleDay
    extra = 0
    fields = ("date", "kind", "name")
    ordering = ("date",)


@admin.register(YearSchedule)
class YearScheduleAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "holiday_days", "workday_days", "created_by", "created_at")
    search_fields = ("year", "source", "note")
    readonly_fields = ("created_by", "created_at", "updated_at")
    fields = ("year", "source", "note", "created_by", "created_at", "updated_at")
    inlines = (ScheduleDayInline,)

    @admin.display(description="休息日天数")
    def holiday_days(self, obj: YearSchedule) -> int:
        return obj.days.filter(kind=ScheduleDay.Kind.HOLIDAY).count()

    @admin.display(description="调休上班日天数")
    def workday_days(self, obj: YearSchedule) -> int:
        return obj.days.filter(kind=ScheduleDay.Kind.WORKDAY).count()

    def save_model(self, request: HttpRequest, obj: YearSchedule, form: Any, change: bool) -> None:
        if not change and getattr(request.user, "pk", None):
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(ScheduleDay)
class ScheduleDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "schedule")
    list_filter = ("kind", "schedule")
    search_fields = ("name",)
    date_hierarchy = "date"
