"""The public criticism list on the portal, mounted at ``/portal/criticism/`` (namespace ``criticism``)."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "criticism"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.criticism, name="list"),
]
