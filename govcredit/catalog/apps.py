from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "govcredit.catalog"
    verbose_name = "目录和标准"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from govcredit.accounts import access
        from govcredit.api.common import register_router
        from govcredit.core.menu import MenuItem, register_menu_item
        from govcredit.ledger.events import register_event_type

        register_event_type("catalog.create_type", "新建信用信息类别", "Record type created")
        register_event_type("catalog.publish", "发布目录版本", "Catalogue version published")
        register_router("/catalog", "govcredit.catalog.api.router")
        register_menu_item("catalog.types", MenuItem(gettext_lazy("目录"), "catalog:type_list",
                                                     lambda user: access.has(user, access.READ_CATALOG), 80))
