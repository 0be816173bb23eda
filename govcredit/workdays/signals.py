"""Drop the per-process calendar cache whenever a schedule changes.

Bulk operations (``bulk_create``, ``QuerySet.update``) send no signals; the import service clears
the cache itself.
"""

from __future__ import annotations

from typing import Any

from django.core.signals import setting_changed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .calendars import clear_cache, clear_cache_on_change
from .models import ScheduleDay, YearSchedule


@receiver(post_save, sender=YearSchedule, dispatch_uid="workdays_year_saved")
@receiver(post_delete, sender=YearSchedule, dispatch_uid="workdays_year_deleted")
@receiver(post_save, sender=ScheduleDay, dispatch_uid="workdays_day_saved")
@receiver(post_delete, sender=ScheduleDay, dispatch_uid="workdays_day_deleted")
def _schedule_changed(sender: type, **kwargs: Any) -> None:
    clear_cache_on_change()


@receiver(setting_changed, dispatch_uid="workdays_setting_changed")
def _setting_changed(setting: str, **kwargs: Any) -> None:
    if setting == "WORKDAYS_CACHE_SECONDS":
        clear_cache()
