from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "govcredit.indicators"
    verbose_name = "指标与预警"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from govcredit.accounts import access
        from govcredit.api.common import register_router
        from govcredit.core.demo import DemoStep, register_demo_step
        from govcredit.core.jobs import DailyJob, register_job
        from govcredit.core.menu import MenuItem, register_menu_item
        from govcredit.ledger.events import register_event_type
        from govcredit.ledger.readable import register_entity
        from govcredit.workflow.kinds import register

        from . import computations, demo
        from .workflow import WARNING_KIND

        register(WARNING_KIND)
        register_router("/indicators", "govcredit.indicators.api.router")
        computations.register_all()
        register_job(DailyJob("指标计算与预警", "govcredit.indicators.services.run", 2, 10))
        register_demo_step("indicators", DemoStep(950, "指标与预警（两年月度数据）", demo.build))
        register_menu_item("indicators.dashboard", MenuItem(gettext_lazy("监测预警"), "indicators:dashboard",
                                                            lambda user: access.has(user, access.READ_INDICATORS), 62))
        register_menu_item("indicators.debt", MenuItem(gettext_lazy("政府债务"), "indicators:debt",
                                                       lambda user: access.has(user, access.READ_INDICATORS), 63))
        register_menu_item("indicators.enter", MenuItem(gettext_lazy("指标填报"), "indicators:enter",
                                                        lambda user: access.has(user, access.ENTER_INDICATORS), 64))
        register_entity("indicators.indicator", "监测指标", "Indicator")
        register_entity("indicators.indicatorvalue", "指标数值", "Indicator value", url_name="indicators:value")
        register_entity("indicators.warningrule", "预警规则", "Warning rule")
        register_entity("indicators.warningruleversion", "预警规则版本", "Warning rule version")
        register_entity("indicators.indicatorwarning", "预警", "Warning", url_name="indicators:warning")
        for code, zh, en in (
            ("indicators.define", "新增监测指标", "Indicator defined"),
            ("indicators.rule.create", "新增预警规则", "Warning rule created"),
            ("indicators.rule.publish", "发布预警规则版本", "Warning rule version published"),
            ("indicators.value.enter", "填报指标数值", "Indicator value entered"),
            ("indicators.value.correct", "更正指标数值", "Indicator value corrected"),
            ("indicators.value.supersede", "指标数值被新版本取代", "Indicator value superseded"),
            ("indicators.value.compute", "计算指标数值", "Indicator value computed"),
            ("indicators.warning.open", "发出预警", "Warning raised"),
            ("indicators.warning.case", "预警立案", "Warning case opened"),
            ("indicators.warning.update", "预警等级更新", "Warning level updated"),
            ("indicators.warning.escalate", "预警持续红色督办", "Red warning escalated"),
            ("indicators.warning.close", "解除预警", "Warning cleared"),
        ):
            register_event_type(code, zh, en)
