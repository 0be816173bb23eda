from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "govcredit.subjects"
    verbose_name = "信用主体"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from govcredit.accounts import access
        from govcredit.api.common import register_router
        from govcredit.core.crypto import register_encrypted_field
        from govcredit.core.home import register_home_tile
        from govcredit.core.menu import MenuItem, register_menu_item
        from govcredit.ledger.events import register_event_type
        from govcredit.ledger.readable import register_entity

        from . import history, home
        from .models import CivilServant

        register_encrypted_field(CivilServant, "id_cipher")
        register_home_tile(home.TILE, home.HOME_TILE)
        register_event_type("subject.org.create", "登记单位", "Organisation registered")
        register_event_type("subject.org.update", "修改单位", "Organisation changed")
        register_event_type("subject.person.create", "登记公务员", "Civil servant registered")
        register_event_type("subject.person.update", "修改公务员信息", "Civil servant changed")
        register_event_type("subject.post.start", "任职", "Post taken up")
        register_event_type("subject.post.end", "离任", "Post left")
        register_entity("subjects.organization", "单位", "Organisation", url_name="subjects:org_detail",
                        finder=history.find_orgs)
        register_entity("subjects.civilservant", "公务员", "Civil servant", url_name="subjects:person_detail",
                        finder=history.find_people)
        register_entity("subjects.postassignment", "任职经历", "Post held", finder=history.find_posts)
        register_router("/subjects", "govcredit.subjects.api.router")
        register_menu_item("subjects.orgs", MenuItem(gettext_lazy("单位"), "subjects:org_list",
                                                     lambda user: access.has(user, access.READ_SUBJECTS), 20))
        register_menu_item("subjects.people", MenuItem(gettext_lazy("公务员"), "subjects:person_list",
                                                       lambda user: access.has(user, access.READ_SUBJECTS), 30))
