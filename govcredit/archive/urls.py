from django.urls import path

from . import views

app_name = "archive"
urlpatterns = [
    path("records/", views.record_list, name="record_list"),
    path("records/new/", views.record_create, name="record_create"),
    path("records/<id:pk>/", views.record_detail, name="record_detail"),
    path("records/<id:pk>/correct/", views.record_correct, name="record_correct"),
]
