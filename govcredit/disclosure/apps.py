from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "govcredit.disclosure"
    verbose_name = "信息公开"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from govcredit.archive.models import CreditRecord
        from govcredit.workflow.kinds import register

        from .workflow import WITHDRAWAL, record_saved

        register(WITHDRAWAL)
        post_save.connect(record_saved, sender=CreditRecord, dispatch_uid="disclosure:withdrawal-case")
