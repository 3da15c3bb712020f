from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.due_list, name="due"),
    path("records/<str:reference>", views.record, name="record"),
    path("hold", views.organisation_hold, name="organisation_hold"),
    path("disposed", views.disposed_list, name="disposed"),
    path("drafts/<str:reference>/dispose", views.draft_dispose, name="draft_dispose"),
]
