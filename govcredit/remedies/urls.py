from django.urls import path

from . import views

app_name = "remedies"
urlpatterns = [
    path("", views.index, name="index"),
    path("records/<id:pk>/objection/", views.objection_create, name="objection_create"),
    path("records/<id:pk>/repair/", views.repair_create, name="repair_create"),
    path("records/<id:pk>/commitment/", views.commitment, name="commitment"),
    path("records/<id:pk>/commitment.pdf", views.commitment_pdf, name="commitment_pdf"),
    path("objections/<id:pk>/", views.objection_detail, name="objection_detail"),
    path("repairs/<id:pk>/", views.repair_detail, name="repair_detail"),
    path("files/<id:pk>/", views.file_download, name="file"),
    path("portal/<id:pk>/objection/", views.portal_objection, name="portal_objection"),
    path("track/", views.track, name="track"),
]
