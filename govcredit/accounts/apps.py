from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "govcredit.accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from govcredit.api.common import register_router

        register_router("/", "govcredit.accounts.api.router")
