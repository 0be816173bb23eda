from django.apps import AppConfig

# Every action code the app writes to the ledger, with its Chinese and English label.
EVENT_TYPES = (
    ("obligation.register", "登记履约事项", "Obligation registered"),
    ("obligation.change", "变更履约事项", "Obligation changed"),
    ("obligation.fulfil", "履约事项已履行", "Obligation fulfilled"),
    ("obligation.cancel", "取消履约事项", "Obligation cancelled"),
    ("obligation.due_soon", "履约事项即将到期", "Obligation due soon"),
    ("obligation.overdue", "履约事项逾期", "Obligation overdue"),
    ("obligation.candidate", "履约事项生成失信候选", "Breach candidate made for obligation"),
    ("obligation.query_code", "发放履约查询码", "Query code issued"),
    ("obligation.candidate.create", "生成失信候选", "Breach candidate created"),
    ("obligation.candidate.confirm", "确认失信候选", "Breach candidate confirmed"),
    ("obligation.candidate.dismiss", "驳回失信候选", "Breach candidate dismissed"),
    ("procurement.contract.register", "登记采购合同", "Procurement contract registered"),
    ("procurement.contract.change", "变更采购合同", "Procurement contract changed"),
    ("procurement.milestone.register", "登记付款节点", "Payment milestone registered"),
    ("procurement.milestone.change", "变更付款节点", "Payment milestone changed"),
    ("procurement.invoice", "登记发票", "Invoice registered"),
    ("procurement.payment", "登记付款", "Payment registered"),
)


class ObligationsConfig(AppConfig):
    name = "govcredit.obligations"
    verbose_name = "履约践诺"

    def ready(self) -> None:
        from govcredit.core.jobs import DailyJob, register_job
        from govcredit.ledger.events import register_event_type

        from .kinds import DEFAULT_KINDS, register_kind

        for kind in DEFAULT_KINDS:
            register_kind(kind)
        for code, zh, en in EVENT_TYPES:
            register_event_type(code, zh, en)
        from django.utils.translation import gettext_lazy as menu_label

        from govcredit.accounts import access as menu_access
        from govcredit.core.menu import MenuItem, register_menu_item
        from govcredit.ledger.readable import register_entity
        from govcredit.workflow.kinds import register

        register_menu_item("obligations.list", MenuItem(menu_label("履约践诺"), "obligations:list",
                                                        lambda user: menu_access.has(user, menu_access.READ_OBLIGATIONS), 41))
        register_menu_item("obligations.candidates", MenuItem(menu_label("失信候选"), "obligations:candidates",
                                                              menu_access.can_decide_breach_candidates, 42))
        register_menu_item("obligations.ranking", MenuItem(menu_label("逾期排名"), "obligations:ranking",
                                                           lambda user: menu_access.has(user, menu_access.RANK_OBLIGATIONS), 43))
        register_menu_item("obligations.overdue_lists", MenuItem(
            menu_label("上一年度逾期合同"), "obligations:overdue_lists",
            lambda user: menu_access.has(user, menu_access.READ_OBLIGATIONS), 44))
        register_menu_item("obligations.contracts", MenuItem(menu_label("采购合同"), "obligations:contracts",
                                                             lambda user: menu_access.has(user, menu_access.READ_OBLIGATIONS), 45))
        register_menu_item("obligations.complaints", MenuItem(menu_label("拖欠款项投诉"), "obligations:complaints",
                                                              lambda user: menu_access.has(user, menu_access.READ_OBLIGATIONS), 46))
        from govcredit.api.common import register_router
        from govcredit.core.demo import DemoStep, register_demo_step

        from . import demo

        register_demo_step("obligations", DemoStep(700, "履约践诺", demo.build))

        register_router("/obligations", "govcredit.obligations.api.router")
        register_entity("obligations.obligation", "履约事项", "Obligation", url_name="obligations:detail")
        register_entity("obligations.breachcandidate", "失信候选", "Breach candidate", url_name="obligations:candidate")

        from .workflow import COMPLAINT, OVERDUE_LIST

        register(COMPLAINT)
        register(OVERDUE_LIST)
        register_job(DailyJob("履约事项到期与逾期处理", "govcredit.obligations.services.run_daily", 1, 45))
        register_job(DailyJob("上一年度逾期合同公开提醒", "govcredit.obligations.workflow.remind_overdue_lists", 8, 10))

        from govcredit.indicators.registry import register_computation

        from . import indicators as indicator_computations

        for computation in (indicator_computations.OVERDUE_COUNT, indicator_computations.OVERDUE_AMOUNT):
            register_computation(computation)  # issue 15: overdue payments to SMEs as indicators
