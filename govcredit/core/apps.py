from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_schedules(sender: AppConfig, **kwargs: Any) -> None:
    if sender.name == "django_q":
        from .jobs import ensure_schedules

        ensure_schedules()


class CoreConfig(AppConfig):
    name = "govcredit.core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.urls import register_converter

        from .params import IdConverter

        post_migrate.connect(_ensure_schedules, dispatch_uid="govcredit.ensure_schedules")
        register_converter(IdConverter, "id")
