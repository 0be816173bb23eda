from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_schedules(sender: AppConfig, **kwargs: Any) -> None:
    if sender.name == "django_q":
        from .jobs import ensure_schedules

        ensure_schedules()


def _ensure_cache_table(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """The shared cache's table (rate limits, login throttling; core/sharedcache.py) exists after every
    ``migrate``, so an upgraded installation cannot answer 500 for a missing table. Made beside the
    sessions' table (this app has no models, so receives no signal of its own)."""
    if sender.name == "django.contrib.sessions":
        from django.core.management import call_command

        call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "govcredit.core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.urls import register_converter

        from .menu import MenuItem, register_menu_item
        from .params import IdConverter

        post_migrate.connect(_ensure_schedules, dispatch_uid="govcredit.ensure_schedules")
        post_migrate.connect(_ensure_cache_table, dispatch_uid="govcredit.ensure_cache_table")
        register_converter(IdConverter, "id")
        # The API's documentation is open to everyone; its URL belongs to the assembled API (api/api.py).
        register_menu_item("api.docs", MenuItem("API", "api-1.0:openapi-view", lambda user: True, 110))
