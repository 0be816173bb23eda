from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "govcredit.archive"
    verbose_name = "政务信用档案"

    def ready(self) -> None:
        from govcredit.core.crypto import register_encrypted_field
        from govcredit.core.home import register_home_tile
        from govcredit.core.jobs import DailyJob, register_job
        from govcredit.subjects.panels import register_subject_panel

        from . import panels
        from .models import CreditRecord

        register_encrypted_field(CreditRecord, "counterparty_id_cipher")
        register_encrypted_field(CreditRecord, "legal_rep_id_cipher")
        register_job(DailyJob("公示期届满处理", "govcredit.archive.services.expire_publicity", 0, 30))
        register_home_tile(panels.KEY, panels.HOME_TILE)
        register_subject_panel(panels.KEY, panels.SUBJECT_PANEL)
