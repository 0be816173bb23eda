from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "govcredit.catalog"
    verbose_name = "目录和标准"

    def ready(self) -> None:
        from govcredit.api.common import register_input_error

        from .services import CatalogError

        register_input_error(CatalogError)
