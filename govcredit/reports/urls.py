from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "reports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("query/", views.find, name="find"),
    path("query/<str:kind>/<int:pk>/", views.purpose, name="purpose"),
    path("queries/<int:pk>/", views.archive, name="archive"),
    path("queries/<int:pk>/reveal/", views.reveal, name="reveal"),
    path("queries/<int:pk>/report/", views.issue, name="issue"),
    path("reports/", views.my_reports, name="report_list"),
    path("reports/<str:number>/", views.report, name="report"),
    path("reports/<str:number>/pdf/", views.report_pdf, name="report_pdf"),
    path("audit/", views.audit, name="audit"),
    path("looked-at-me/", views.looked_at_me, name="looked_at_me"),
    path("verify/", views.verify, name="verify"),
    path("education/", views.education, name="education"),
    path("roster/", views.rosters, name="rosters"),
    path("roster/<int:pk>/", views.roster_detail, name="roster_detail"),
    path("roster/findings/<int:pk>/resolve/", views.roster_resolve, name="roster_resolve"),
    path("review/", views.reviews, name="reviews"),
    path("review/<int:pk>/", views.review_detail, name="review_detail"),
    path("review/<int:pk>/status/", views.review_status, name="review_status"),
    path("review/<int:pk>/<str:what>/", views.review_file, name="review_file"),
]
