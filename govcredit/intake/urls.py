from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.batch_list, name="batch_list"),
    path("upload/", views.upload, name="upload"),
    path("templates/<slug:code>.xlsx", views.template_download, name="template"),
    path("batches/<id:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<id:pk>/status.json", views.batch_status, name="batch_status"),
    path("batches/<id:pk>/report.xlsx", views.batch_report, name="batch_report"),
    path("batches/<id:pk>/rerun/", views.batch_rerun, name="batch_rerun"),
]
