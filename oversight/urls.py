from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("reviews", views.review_queue, name="queue"),
    path("reviews/<str:reference>/versions/<int:number>/sign-off", views.review_approve, name="approve"),
    path("reviews/<str:reference>/versions/<int:number>/return", views.review_return, name="return"),
    path("dashboard", views.dashboard, name="dashboard"),
    path("organisation", views.organisation_settings, name="organisation"),
    path("organisation/edition", views.organisation_edition, name="organisation_edition"),
]
