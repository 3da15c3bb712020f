from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("", views.export_start, name="start"),
    path("<int:pk>", views.export_detail, name="detail"),
    path("<int:pk>/progress", views.export_progress, name="progress"),
    path("<int:pk>/retry", views.export_retry, name="retry"),
    path("<int:pk>/download", views.export_download, name="download"),
    path("verify", views.verify, name="verify"),
    path("subject-access", views.subject_access_start, name="subject_access"),
    path("subject-access/<int:pk>", views.subject_access_detail, name="subject_access_detail"),
    path("subject-access/<int:pk>/progress", views.subject_access_progress, name="subject_access_progress"),
    path("subject-access/<int:pk>/retry", views.subject_access_retry, name="subject_access_retry"),
    path("subject-access/<int:pk>/download", views.subject_access_download, name="subject_access_download"),
    path("decisions/<str:reference>/pdf", views.decision_pdf, name="decision_pdf"),
]
