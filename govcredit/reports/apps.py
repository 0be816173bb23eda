from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "govcredit.reports"
    verbose_name = "查询与信用报告"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from govcredit.accounts import access
        from govcredit.accounts.models import Role
        from govcredit.api.common import register_router
        from govcredit.core.crypto import register_encrypted_field
        from govcredit.core.menu import MenuItem, register_menu_item
        from govcredit.ledger.events import register_event_type

        from . import sections  # noqa: F401  (registers the archive's report sections)
        from .models import RosterFinding

        register_event_type("report.query", "查阅信用档案", "Archive consulted")
        register_event_type("report.reveal", "查看完整身份证号", "Full ID number viewed")
        register_event_type("report.issue", "出具信用报告", "Credit report issued")
        register_event_type("roster.finding", "人事库核查发现差异", "Roster difference found")
        register_event_type("roster.resolve", "处理人事库核查差异", "Roster difference reconciled")
        register_encrypted_field(RosterFinding, "id_cipher")
        register_event_type("education.target", "设定诚信教育年度目标", "Integrity-education target set")
        register_router("/reports", "govcredit.reports.api.router")
        register_menu_item("reports.find", MenuItem(gettext_lazy("查询档案"), "reports:find",
                                                    lambda user: access.has(user, access.QUERY_ARCHIVES), 45))
        register_menu_item("reports.mine", MenuItem(gettext_lazy("信用报告"), "reports:report_list",
                                                    lambda user: access.has(user, access.ISSUE_REPORTS | {Role.SUBJECT}),
                                                    46))
        register_menu_item("reports.looked_at_me", MenuItem(gettext_lazy("谁查过我"), "reports:looked_at_me",
                                                            lambda user: access.has(user, {Role.SUBJECT}), 47))
        register_menu_item("reports.education", MenuItem(gettext_lazy("诚信教育"), "reports:education",
                                                         lambda user: access.has(user, access.READ_EDUCATION), 65))
        register_menu_item("reports.rosters", MenuItem(gettext_lazy("人事库核查"), "reports:rosters",
                                                       lambda user: access.has(user, access.RECONCILE_ROSTER), 66))
        register_menu_item("reports.audit", MenuItem(gettext_lazy("查询审计"), "reports:audit",
                                                     lambda user: access.has(user, access.AUDIT_QUERIES), 95))
