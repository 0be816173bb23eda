from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "govcredit.catalog"
    verbose_name = "目录和标准"

    def ready(self) -> None:
        from govcredit.api.common import register_router
        from govcredit.ledger.events import register_event_type

        register_event_type("catalog.create_type", "新建信用信息类别", "Record type created")
        register_event_type("catalog.publish", "发布目录版本", "Catalogue version published")
        register_router("/catalog", "govcredit.catalog.api.router")
