from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "govcredit.archive"
    verbose_name = "政务信用档案"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from govcredit.accounts import access
        from govcredit.api.common import register_router
        from govcredit.core.crypto import register_encrypted_field
        from govcredit.core.home import register_home_tile
        from govcredit.core.jobs import DailyJob, register_job
        from govcredit.core.menu import MenuItem, register_menu_item
        from govcredit.ledger.events import register_event_type
        from govcredit.ledger.readable import register_entity
        from govcredit.subjects.panels import register_subject_panel

        from . import history, panels
        from .models import CreditRecord

        register_encrypted_field(CreditRecord, "counterparty_id_cipher")
        register_encrypted_field(CreditRecord, "legal_rep_id_cipher")
        register_job(DailyJob("公示期届满处理", "govcredit.archive.services.expire_publicity", 0, 30))
        register_home_tile(panels.KEY, panels.HOME_TILE)
        register_subject_panel(panels.KEY, panels.SUBJECT_PANEL)
        register_event_type("record.create", "录入信用记录", "Record entered")
        register_event_type("record.correct", "更正信用记录", "Record corrected")
        register_event_type("record.status", "变更记录状态", "Record status changed")
        register_event_type("record.expire", "公示期满", "Publicity period ended")
        register_entity("archive.creditrecord", "信用记录", "Credit record", url_name="archive:record_detail",
                        finder=history.find_records, persons=history.natural_persons)
        register_router("/", "govcredit.archive.api.router")
        register_menu_item("archive.records", MenuItem(gettext_lazy("信用记录"), "archive:record_list",
                                                       lambda user: access.has(user, access.READ_SUBJECTS), 40))
