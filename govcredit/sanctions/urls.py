"""Pages of joint rewards and punishments, mounted at ``/sanctions/`` (namespace ``sanctions``)."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "sanctions"
urlpatterns: list[URLPattern | URLResolver] = [
    path("catalogue/", views.catalogue_page, name="catalogue"),
    path("catalogue/measures/<slug:code>/", views.measure_edit, name="measure_edit"),
    path("catalogue/rules/<slug:code>/", views.rule_edit, name="rule_edit"),
    path("measures/", views.measure_list, name="measure_list"),
    path("measures/<id:pk>/", views.measure_detail, name="measure_detail"),
    path("fault-tolerance/", views.fault_tolerance_list, name="fault_tolerance_list"),
    path("fault-tolerance/apply/<id:record_id>/", views.fault_tolerance_apply, name="fault_tolerance_apply"),
    path("cases/<id:pk>/", views.case_detail, name="case"),
    path("cases/<id:pk>/transition/", views.case_transition, name="case_transition"),
    path("cases/<id:pk>/evidence/", views.case_evidence, name="case_evidence"),
    path("cases/<id:pk>/finding/", views.case_finding, name="case_finding"),
    path("rectifications/", views.rectification_list, name="rectification_list"),
    path("rectifications/export/", views.rectification_export, name="rectification_export"),
    path("eligibility/", views.eligibility_page, name="eligibility"),
    path("eligibility/batch/", views.eligibility_batch, name="eligibility_batch"),
]
