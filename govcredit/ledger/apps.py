from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "govcredit.ledger"
    verbose_name = "留痕账本"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from govcredit.accounts import access
        from govcredit.core.jobs import DailyJob, register_job
        from govcredit.core.menu import MenuItem, register_menu_item

        from .events import register_event_type
        from .jobs import LEDGER_JOB, LEDGER_TASK

        register_job(DailyJob(LEDGER_JOB, LEDGER_TASK, 2, 0))
        register_job(DailyJob("留痕检查点签发", "govcredit.ledger.checkpoints.write_current", 1, 50))
        register_event_type("crypto.rekey", "密钥轮换重新加密", "Re-encrypted under the newest key")
        register_menu_item("ledger.overview", MenuItem(gettext_lazy("留痕"), "ledger:overview",
                                                       lambda user: access.has(user, access.VERIFY_LEDGER), 90))
