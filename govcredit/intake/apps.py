from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "govcredit.intake"
    verbose_name = "归集"
    default_auto_field = "django.db.models.BigAutoField"
