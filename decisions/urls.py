from django.urls import path

from . import views

app_name = "decisions"

urlpatterns = [
    path("", views.decision_list, name="list"),
    path("new", views.decision_start, name="start"),
    path("people/<str:pk>", views.person_detail, name="person"),
    path("<str:reference>", views.decision_detail, name="detail"),
    path("<str:reference>/answer/<slug:step>", views.draft_step, name="step"),
    path("<str:reference>/check", views.draft_check, name="check"),
    path("<str:reference>/amend", views.decision_amend, name="amend"),
    path("<str:reference>/discard", views.draft_discard, name="discard"),
    path("<str:reference>/follow-up/<slug:kind>", views.follow_up_record, name="follow_up"),
]
