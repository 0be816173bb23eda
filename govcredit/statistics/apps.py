from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "govcredit.statistics"
    verbose_name = "双公示统计"
