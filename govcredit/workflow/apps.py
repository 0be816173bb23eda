from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "govcredit.workflow"
    verbose_name = "办理时限与督办"
