from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "govcredit.core"
    verbose_name = "基础"
