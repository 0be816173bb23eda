from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "govcredit.ledger"
    verbose_name = "留痕账本"

    def ready(self) -> None:
        from govcredit.core.jobs import DailyJob, register_job

        from .events import register_event_type
        from .jobs import LEDGER_JOB, LEDGER_TASK

        register_job(DailyJob(LEDGER_JOB, LEDGER_TASK, 2, 0))
        register_job(DailyJob("留痕检查点签发", "govcredit.ledger.checkpoints.write_current", 1, 50))
        register_event_type("crypto.rekey", "密钥轮换重新加密", "Re-encrypted under the newest key")
