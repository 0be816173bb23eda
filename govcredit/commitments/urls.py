from django.urls import path

from . import views

app_name = "commitments"
urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<id:pk>/", views.project_detail, name="project_detail"),
    path("projects/<id:pk>/advance/", views.project_advance, name="project_advance"),
    path("projects/<id:pk>/duties/", views.duty_add, name="duty_add"),
    path("duties/<id:pk>/", views.duty_detail, name="duty_detail"),
    path("promises/", views.promise_list, name="promise_list"),
    path("promises/new/", views.promise_create, name="promise_create"),
    path("promises/<id:pk>/", views.promise_detail, name="promise_detail"),
    path("promises/<id:pk>/keep/", views.promise_keep, name="promise_keep"),
    path("promises/<id:pk>/change/", views.promise_change, name="promise_change"),
    path("promises/<id:pk>/compensation/", views.promise_compensation, name="promise_compensation"),
    path("import/", views.import_page, name="import_page"),
    path("import/template/", views.import_template, name="import_template"),
    path("import/runs/<id:pk>/", views.import_run, name="import_run"),
    path("import/<id:pk>/report/", views.import_report, name="import_report"),
    path("follow/", views.follow, name="follow"),
]
