from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "govcredit.workdays"
    verbose_name = "工作日历"

    def ready(self) -> None:
        # Connect the signal handlers that drop the per-process calendar cache.
        from . import signals  # noqa: F401
