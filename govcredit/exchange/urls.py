from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "exchange"
urlpatterns: list[URLPattern | URLResolver] = [
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/dictionary/", views.data_dictionary, name="data_dictionary"),
    path("open-data/disclosures.<str:fmt>", views.open_data_download, name="open_data_download"),
    path("national/", views.exports, name="exports"),
    path("national/<id:pk>/", views.export_detail, name="export_detail"),
    path("national/<id:pk>/files/<str:name>", views.export_file, name="export_file"),
    path("national/acks/", views.ack_upload, name="ack_upload"),
    path("national/start/", views.export_start, name="export_start"),
    path("shared-queries/", views.query_log, name="query_log"),
]
