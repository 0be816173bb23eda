from django.urls import path

from . import entry_views, views

app_name = "obligations"
urlpatterns = [
    path("", views.obligation_list, name="list"),
    path("<id:pk>/", views.obligation_detail, name="detail"),
    path("candidates/", views.candidate_list, name="candidates"),
    path("candidates/<id:pk>/", views.candidate_detail, name="candidate"),
    path("ranking/", views.ranking, name="ranking"),
    path("overdue-lists/", views.overdue_lists, name="overdue_lists"),
    path("track/", views.track, name="track"),
    path("contracts/", entry_views.contract_list, name="contracts"),
    path("contracts/new/", entry_views.contract_create, name="contract_create"),
    path("contracts/<id:pk>/", entry_views.contract_detail, name="contract"),
    path("contracts/<id:pk>/delivery/", entry_views.contract_step, {"which": "delivery"}, name="contract_delivery"),
    path("contracts/<id:pk>/inspection-delay/", entry_views.contract_step, {"which": "delay"}, name="contract_delay"),
    path("contracts/<id:pk>/settlement/", entry_views.contract_step, {"which": "settlement"}, name="contract_settlement"),
    path("contracts/<id:pk>/invoices/", entry_views.contract_step, {"which": "invoice"}, name="contract_invoice"),
    path("contracts/<id:pk>/payments/", entry_views.contract_step, {"which": "payment"}, name="contract_payment"),
    path("complaints/", entry_views.complaint_list, name="complaints"),
    path("complaints/new/", entry_views.complaint_create, name="complaint_create"),
    path("complaints/<id:pk>/", entry_views.complaint_detail, name="complaint"),
]
