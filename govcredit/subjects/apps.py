from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "govcredit.subjects"
    verbose_name = "信用主体"
