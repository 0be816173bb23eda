from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.type_list, name="type_list"),
    path("<slug:code>/", views.type_detail, name="type_detail"),
    path("<slug:code>/versions/new/", views.version_create, name="version_create"),
]
