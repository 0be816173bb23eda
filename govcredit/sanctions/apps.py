from django.apps import AppConfig


class SanctionsConfig(AppConfig):
    name = "govcredit.sanctions"
    verbose_name = "联合奖惩"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as menu_label

        from govcredit.accounts import access as menu_access
        from govcredit.core.menu import MenuItem, register_menu_item

        register_menu_item("sanctions.measures", MenuItem(menu_label("联合奖惩"), "sanctions:measure_list",
                                                          lambda user: menu_access.has(user, menu_access.READ_MEASURES), 36))
        register_menu_item("sanctions.rectifications", MenuItem(menu_label("整改督办"), "sanctions:rectification_list",
                                                                menu_access.can_read_rectification_lists, 37))
        register_menu_item("sanctions.fault_tolerance", MenuItem(menu_label("容错纠错"), "sanctions:fault_tolerance_list",
                                                                 lambda user: menu_access.has(user, menu_access.READ_MEASURES), 38))
        register_menu_item("sanctions.eligibility", MenuItem(menu_label("资格核查"), "sanctions:eligibility",
                                                             menu_access.can_check_eligibility, 39))
        register_menu_item("sanctions.catalogue", MenuItem(menu_label("奖惩措施清单"), "sanctions:catalogue",
                                                           lambda user: menu_access.has(user, menu_access.READ_MEASURES), 95))

        from govcredit.core.demo import DemoStep, register_demo_step

        from . import demo

        register_demo_step("sanctions", DemoStep(600, "联合奖惩", lambda run: demo.build()))
        from django.db.models.signals import post_save

        from govcredit.api.common import register_router
        from govcredit.archive.models import CreditRecord
        from govcredit.core.home import register_home_tile
        from govcredit.core.jobs import DailyJob, register_job
        from govcredit.ledger.events import register_event_type
        from govcredit.subjects.panels import register_subject_panel
        from govcredit.workflow.kinds import register

        from . import panels
        from .services import record_saved
        from .workflow import FAULT_TOLERANCE, RECTIFICATION

        register(RECTIFICATION)
        register(FAULT_TOLERANCE)
        post_save.connect(record_saved, sender=CreditRecord, dispatch_uid="sanctions:measures")
        register_job(DailyJob("奖惩措施期满处理", "govcredit.sanctions.services.expire_measures", 1, 30))
        register_subject_panel(panels.KEY, panels.SUBJECT_PANEL)
        from govcredit.workflow.sections import register_inbox_section

        register_inbox_section(panels.INBOX_KEY, panels.INBOX_SECTION)
        register_home_tile(panels.HOME_KEY, panels.HOME_TILE)
        register_router("/sanctions", "govcredit.sanctions.api.router")
        for code, zh, en in (
            ("sanctions.measure.create", "新增奖惩措施", "Measure created"),
            ("sanctions.measure.publish", "发布奖惩措施版本", "Measure version published"),
            ("sanctions.rule.create", "新增奖惩规则", "Rule created"),
            ("sanctions.rule.publish", "发布奖惩规则版本", "Rule version published"),
            ("sanctions.measure.start", "启动奖惩措施", "Measure started"),
            ("sanctions.measure.suspend", "暂停奖惩措施", "Measure suspended"),
            ("sanctions.measure.resume", "恢复奖惩措施", "Measure resumed"),
            ("sanctions.measure.lighten", "减轻奖惩措施", "Measure lightened"),
            ("sanctions.measure.end", "结束奖惩措施", "Measure ended"),
            ("sanctions.fault_tolerance.apply", "申请容错纠错", "Fault tolerance applied for"),
            ("sanctions.fault_tolerance.decide", "容错纠错集体决策", "Fault tolerance decided"),
        ):
            register_event_type(code, zh, en)
        from govcredit.core.report_sections import register_report_section

        from . import report_sections

        register_report_section("sanctions.measures", report_sections.MEASURES)
        register_report_section("sanctions.rectifications", report_sections.RECTIFICATIONS)
        register_report_section("sanctions.fault_tolerance", report_sections.FINDINGS)

        from govcredit.indicators.registry import register_computation

        from . import indicators as indicator_computations

        for computation in (indicator_computations.OPEN, indicator_computations.OVERDUE):
            register_computation(computation)  # issue 15: this app's figures as indicators
