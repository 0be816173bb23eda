from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "govcredit.exchange"
    verbose_name = "共享交换"
