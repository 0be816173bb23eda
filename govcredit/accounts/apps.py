from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "govcredit.accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as menu_label

        from govcredit.core.menu import MenuItem, register_menu_item

        from . import access as menu_access

        register_menu_item("accounts.users", MenuItem(menu_label("用户"), "accounts:user_list",
                                                      lambda user: menu_access.has(user, menu_access.MANAGE_USERS), 96))

        from govcredit.api.common import register_router
        from govcredit.core.home import register_home_tile
        from govcredit.ledger.events import register_event_type
        from govcredit.ledger.readable import register_entity

        from . import home
        from .selectors import find_users

        register_router("/", "govcredit.accounts.api.router")
        register_home_tile(home.TILE, home.HOME_TILE)
        register_event_type("account.create", "创建用户", "User created")
        register_event_type("account.update", "修改用户角色或单位", "Role or organisation of a user changed")
        register_event_type("account.reset_password", "重置密码", "Password reset")
        register_event_type("account.change_password", "本人修改密码", "Password changed by its user")
        register_event_type("account.deactivate", "停用用户", "User deactivated")
        register_event_type("account.reactivate", "启用用户", "User reactivated")
        register_event_type("account.rehash", "更新密码散列参数", "Password hash renewed")
        register_event_type("account.adopt", "用户纳入留痕", "User brought under the ledger")
        register_entity("accounts.user", "用户", "User", url_name="accounts:user_detail", finder=find_users)
