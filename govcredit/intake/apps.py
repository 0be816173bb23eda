import logging
from typing import Any

from django.apps import AppConfig

logger = logging.getLogger("govcredit.intake")


class IntakeConfig(AppConfig):
    name = "govcredit.intake"
    verbose_name = "归集"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy
        from django_q.signals import post_spawn

        from govcredit.accounts import access
        from govcredit.api.common import register_router
        from govcredit.archive.models import CreditRecord
        from govcredit.core.jobs import FrequentJob, register_job
        from govcredit.core.menu import MenuItem, register_menu_item
        from govcredit.ledger.events import register_event_type
        from govcredit.ledger.verification import register_commitments

        from .integrity import CHUNK_ACTION, committed_digests

        register_commitments(CreditRecord, committed_digests)
        post_spawn.connect(resume_on_spawn, dispatch_uid="govcredit.intake.resume_on_spawn")
        # A batch whose worker died (its heartbeat stopped) is taken up again by the next worker.
        register_job(FrequentJob("归集批次续跑", "govcredit.intake.services.resume_stalled", 1))
        register_event_type(CHUNK_ACTION, "批量归集写入", "Import chunk written")
        register_router("/intake", "govcredit.intake.api.router")
        register_menu_item("intake.batches", MenuItem(gettext_lazy("归集"), "intake:batch_list",
                                                      lambda user: access.has(user, access.WRITE_RECORDS | access.CITY_WIDE), 50))


def resume_on_spawn(sender: Any, proc_name: str = "", **kwargs: Any) -> None:
    """A task-queue worker that starts (also one its cluster restarts after a kill) first takes up the
    batches whose worker died on this machine; a failure here must not stop the worker."""
    from .services import resume_stalled

    try:
        resume_stalled()
    except Exception:
        logger.exception("启动后台任务进程 %s 时未能检查中断的归集批次", proc_name)
