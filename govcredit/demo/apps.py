from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "govcredit.demo"
    verbose_name = "演示数据"
