from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "govcredit.workdays"
    verbose_name = "工作日历"

    def ready(self) -> None:
        # Connect the signal handlers that drop the per-process calendar cache.
        from govcredit.ledger.events import register_event_type

        from . import signals  # noqa: F401

        register_event_type("workdays.schedule.create", "录入年度节假日安排", "Holiday schedule entered")
        register_event_type("workdays.schedule.replace", "覆盖年度节假日安排", "Holiday schedule replaced")
        register_event_type("workdays.day.set", "登记节假日安排日期", "Schedule day set")
        register_event_type("workdays.adopt", "节假日安排纳入留痕", "Holiday schedule brought under the ledger")
