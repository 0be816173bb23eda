from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "govcredit.catalog"
    verbose_name = "目录和标准"
