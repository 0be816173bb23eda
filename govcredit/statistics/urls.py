from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "statistics"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.public_summary, name="public"),
    path("export.xlsx", views.public_export, name="public_export"),
    path("internal/", views.internal, name="internal"),
    path("internal/export.xlsx", views.internal_export, name="internal_export"),
    path("internal/refresh/", views.refresh_now, name="refresh"),
]
