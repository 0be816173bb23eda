from django.apps import AppConfig


class RemediesConfig(AppConfig):
    name = "govcredit.remedies"
    verbose_name = "异议与信用修复"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as menu_label

        from govcredit.accounts import access as menu_access
        from govcredit.core.menu import MenuItem, register_menu_item

        register_menu_item("remedies.index", MenuItem(menu_label("异议与修复"), "remedies:index",
                                                      lambda user: menu_access.has(user, menu_access.READ_REMEDIES), 35))

        from govcredit.core.demo import DemoStep, register_demo_step

        from . import demo

        register_demo_step("remedies", DemoStep(650, "异议与信用修复", lambda run: demo.build_demo()))
        from govcredit.api.common import register_router
        from govcredit.archive.services import register_status_guard
        from govcredit.core.home import register_home_tile
        from govcredit.ledger.events import register_event_type
        from govcredit.workflow.kinds import register

        from . import panels
        from .guards import status_guard
        from .workflow import OBJECTION, REPAIR

        register(OBJECTION)
        register(REPAIR)
        for code, zh, en in (
            ("remedies.objection.file", "提出异议", "Objection filed"),
            ("remedies.objection.accept", "受理异议", "Objection accepted"),
            ("remedies.objection.refuse", "异议不予受理", "Objection not accepted"),
            ("remedies.objection.extend", "延长异议核查期限", "Objection check extended"),
            ("remedies.objection.correct", "异议处理：更正记录", "Objection decided, record corrected"),
            ("remedies.objection.revoke", "异议处理：撤销记录", "Objection decided, record revoked"),
            ("remedies.objection.uphold", "异议处理：维持原记录", "Objection decided, record upheld"),
            ("remedies.repair.apply", "申请信用修复", "Credit repair applied for"),
            ("remedies.repair.accept", "受理信用修复申请", "Credit repair accepted"),
            ("remedies.repair.refuse", "信用修复申请不予受理", "Credit repair not accepted"),
            ("remedies.repair.approve", "准予信用修复", "Credit repair approved"),
            ("remedies.repair.reject", "不予信用修复", "Credit repair refused"),
            ("remedies.file", "上传异议或修复材料", "Objection or repair file uploaded"),
        ):
            register_event_type(code, zh, en)
        register_router("/remedies", "govcredit.remedies.api.router")
        register_home_tile(panels.KEY, panels.HOME_TILE)
        register_status_guard(status_guard)
        from govcredit.core.report_sections import register_report_section

        from . import report_sections

        register_report_section("remedies.objections", report_sections.OBJECTIONS)
        register_report_section("remedies.repairs", report_sections.REPAIRS)

        from govcredit.workflow.selectors import register_followed_basis

        from .selectors import followed_records

        register_followed_basis("archive.creditrecord", followed_records)

        from govcredit.workflow.sections import register_inbox_section

        register_inbox_section(panels.INBOX_KEY, panels.INBOX_SECTION)

        from govcredit.indicators.registry import register_computation

        from . import indicators as indicator_computations

        for computation in (indicator_computations.OBJECTIONS, indicator_computations.UPHELD, indicator_computations.REPAIRS):
            register_computation(computation)  # issue 15: this app's figures as indicators
