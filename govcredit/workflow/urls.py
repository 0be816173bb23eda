from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "workflow"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.inbox, name="inbox"),
]
