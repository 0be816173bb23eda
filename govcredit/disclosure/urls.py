"""The public portal, mounted at ``/portal/`` (namespace ``portal``); no login anywhere below it."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "portal"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.landing, name="landing"),
    path("search/", views.results, name="search"),
    path("revoked/", views.revoked, name="revoked"),
    path("subjects/<str:code>/", views.subject, name="subject"),
    path("<id:pk>/", views.detail, name="detail"),
]
