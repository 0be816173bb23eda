from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "indicators_public"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.public, name="public"),
]
