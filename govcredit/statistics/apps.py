from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "govcredit.statistics"
    verbose_name = "双公示统计"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from govcredit.accounts import access
        from govcredit.api.common import register_router
        from govcredit.core.demo import DemoStep, register_demo_step
        from govcredit.core.jobs import FrequentJob, register_job
        from govcredit.core.menu import MenuItem, register_menu_item

        from .demo import first_refresh

        register_job(FrequentJob("双公示统计刷新", "govcredit.statistics.services.refresh", 5))
        register_router("/statistics", "govcredit.statistics.api.router")
        register_demo_step("statistics", DemoStep(900, "双公示统计首次刷新", first_refresh))
        register_menu_item("statistics.internal", MenuItem(gettext_lazy("统计"), "statistics:internal",
                                                           lambda user: access.has(user, access.READ_STATISTICS), 60))

        from govcredit.indicators.registry import register_computation

        from . import indicators as indicator_computations

        for computation in (indicator_computations.ON_TIME, indicator_computations.COMPLETE):
            register_computation(computation)  # issue 15: this app's figures as indicators
