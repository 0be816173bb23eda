from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "govcredit.disclosure"
    verbose_name = "信息公开"

    def ready(self) -> None:
        from django.db.models.signals import post_save
        from django.utils.translation import gettext_lazy

        from govcredit.api.common import register_router
        from govcredit.archive.models import CreditRecord
        from govcredit.core.demo import DemoStep, register_demo_step
        from govcredit.core.jobs import FrequentJob, register_job
        from govcredit.core.menu import MenuItem, register_menu_item
        from govcredit.ledger.events import register_event_type
        from govcredit.workflow.kinds import register

        from .demo import first_sync
        from .workflow import WITHDRAWAL, record_saved

        register(WITHDRAWAL)
        post_save.connect(record_saved, sender=CreditRecord, dispatch_uid="disclosure:withdrawal-case")

        # Publishing and withdrawing run often: a revoked penalty must leave the portal within 3 days.
        register_job(FrequentJob("公开信息同步（发布与撤下）", "govcredit.disclosure.services.sync", 10))
        register_event_type("disclosure.publish", "公开", "Published on the portal")
        register_event_type("disclosure.unpublish", "撤下公开", "Withdrawn from the portal")
        register_event_type("disclosure.remask", "重新脱敏", "Public values masked again")
        register_event_type("disclosure.refresh", "更新公开内容", "Public listing updated after a correction")
        register_router("/portal", "govcredit.disclosure.api.router")
        register_demo_step("disclosure", DemoStep(800, "公开信息首次同步", first_sync))
        register_menu_item("portal.landing", MenuItem(gettext_lazy("公示查询"), "portal:landing",
                                                      lambda user: True, 100))
