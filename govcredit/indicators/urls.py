from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "indicators"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("subjects/<id:pk>/", views.subject, name="subject"),
    path("values/<id:pk>/", views.value, name="value"),
    path("warnings/", views.warning_list, name="warning_list"),
    path("warnings/<id:pk>/", views.warning_detail, name="warning"),
    path("enter/", views.enter, name="enter"),
    path("import/", views.import_file, name="import"),
    path("rules/", views.rules, name="rules"),
    path("rules/<id:pk>/publish/", views.publish_rule, name="publish_rule"),
    path("debt/", views.debt, name="debt"),
    path("debt/<id:pk>/", views.debt_detail, name="debt_detail"),
    path("debt/<id:pk>/tenure/", views.tenure, name="tenure"),
]
