from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "govcredit.exchange"
    verbose_name = "共享交换"

    def ready(self) -> None:
        from govcredit.api.common import register_router

        register_router("/exchange", "govcredit.exchange.api.router")
