from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "govcredit.disclosure"
    verbose_name = "信息公开"
