from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "govcredit.reports"
    verbose_name = "查询与信用报告"

    def ready(self) -> None:
        from govcredit.api.common import register_router
        from govcredit.core.crypto import register_encrypted_field
        from govcredit.ledger.events import register_event_type

        from .models import RosterFinding

        register_event_type("report.query", "查阅信用档案", "Archive consulted")
        register_event_type("report.reveal", "查看完整身份证号", "Full ID number viewed")
        register_event_type("report.issue", "出具信用报告", "Credit report issued")
        register_event_type("roster.finding", "人事库核查发现差异", "Roster difference found")
        register_event_type("roster.resolve", "处理人事库核查差异", "Roster difference reconciled")
        register_encrypted_field(RosterFinding, "id_cipher")
        register_event_type("education.target", "设定诚信教育年度目标", "Integrity-education target set")
        register_router("/reports", "govcredit.reports.api.router")
