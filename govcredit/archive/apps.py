from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "govcredit.archive"
    verbose_name = "政务信用档案"
