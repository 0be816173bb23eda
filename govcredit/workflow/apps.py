from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "govcredit.workflow"
    verbose_name = "办理时限与督办"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from govcredit.api.common import register_router
        from govcredit.core.home import register_home_tile
        from govcredit.core.jobs import DailyJob, FrequentJob, register_job
        from govcredit.core.menu import MenuItem, register_menu_item
        from govcredit.ledger.events import register_event_type

        from . import home

        register_job(DailyJob("办理事项到期提醒", "govcredit.workflow.services.send_reminders", 8, 0))
        register_job(FrequentJob("办理事项逾期标记与督办", "govcredit.workflow.services.mark_overdue", 60))
        register_event_type("workflow.open", "立案办理事项", "Case opened")
        register_event_type("workflow.transition", "办理事项状态变更", "Case status changed")
        register_event_type("workflow.event", "办理事项记录", "Case history entry")
        register_event_type("workflow.due", "变更办理期限", "Case due date changed")
        register_event_type("workflow.evidence", "上传佐证材料", "Evidence uploaded")
        register_event_type("workflow.overdue", "标记逾期", "Marked overdue")
        register_event_type("workflow.escalate", "逾期督办", "Escalated")
        register_router("/workflow", "govcredit.workflow.api.router")
        register_home_tile(home.KEY, home.HOME_TILE)
        register_menu_item("workflow.inbox", MenuItem(gettext_lazy("待办"), "workflow:inbox",
                                                      lambda user: user.is_authenticated, 10))
