from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "govcredit.intake"
    verbose_name = "归集"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from govcredit.archive.models import CreditRecord
        from govcredit.ledger.services import register_commitments

        from .integrity import committed_digests

        register_commitments(CreditRecord, committed_digests)
