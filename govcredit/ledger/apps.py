from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "govcredit.ledger"
    verbose_name = "留痕账本"
