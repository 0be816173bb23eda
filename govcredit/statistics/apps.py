from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "govcredit.statistics"
    verbose_name = "双公示统计"

    def ready(self) -> None:
        from govcredit.api.common import register_router
        from govcredit.core.jobs import FrequentJob, register_job

        register_job(FrequentJob("双公示统计刷新", "govcredit.statistics.services.refresh", 5))
        register_router("/statistics", "govcredit.statistics.api.router")
