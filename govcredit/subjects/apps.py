from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "govcredit.subjects"
    verbose_name = "信用主体"

    def ready(self) -> None:
        from govcredit.core.crypto import register_encrypted_field
        from govcredit.core.home import register_home_tile

        from . import home
        from .models import CivilServant

        register_encrypted_field(CivilServant, "id_cipher")
        register_home_tile(home.TILE, home.HOME_TILE)
