from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "govcredit.exchange"
    verbose_name = "共享交换"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from govcredit.accounts import access
        from govcredit.api.common import register_router
        from govcredit.core.menu import MenuItem, register_menu_item

        register_router("/exchange", "govcredit.exchange.api.router")
        register_menu_item("exchange.exports", MenuItem(gettext_lazy("共享交换"), "exchange:exports",
                                                        lambda user: access.has(user, access.MANAGE_EXCHANGE), 70))
