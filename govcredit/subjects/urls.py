from django.urls import path

from . import views

app_name = "subjects"
urlpatterns = [
    path("orgs/", views.org_list, name="org_list"),
    path("orgs/<id:pk>/", views.org_detail, name="org_detail"),
    path("orgs/<id:pk>/children/", views.org_children, name="org_children"),
    path("orgs/<id:pk>/edit/", views.org_edit, name="org_edit"),
    path("orgs/<id:pk>/new-org/", views.org_create, name="org_create"),
    path("orgs/<id:pk>/new-person/", views.person_create, name="person_create"),
    path("people/", views.person_list, name="person_list"),
    path("people/<id:pk>/", views.person_detail, name="person_detail"),
    path("people/<id:pk>/edit/", views.person_edit, name="person_edit"),
]
