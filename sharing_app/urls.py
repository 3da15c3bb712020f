from django.contrib import admin
from django.urls import include, path

from decisions import views as decision_views
from oversight.home import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", decision_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("decisions/", include("decisions.urls")),
    path("audit/", include("audit.urls")),
    path("oversight/", include("oversight.urls")),
    path("exports/", include("exports.urls")),
    path("retention/", include("retention.urls")),
    path("django-admin/", admin.site.urls),
]

handler404 = "decisions.views.page_not_found"
handler500 = "sharing_app.errors.server_error"
handler403 = "decisions.views.permission_denied"
handler400 = "sharing_app.errors.bad_request"
