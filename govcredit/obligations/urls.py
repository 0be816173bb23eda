from django.urls import path

from . import views

app_name = "obligations"
urlpatterns = [
    path("", views.obligation_list, name="list"),
    path("<id:pk>/", views.obligation_detail, name="detail"),
    path("candidates/", views.candidate_list, name="candidates"),
    path("candidates/<id:pk>/", views.candidate_detail, name="candidate"),
    path("ranking/", views.ranking, name="ranking"),
    path("overdue-lists/", views.overdue_lists, name="overdue_lists"),
    path("track/", views.track, name="track"),
]
