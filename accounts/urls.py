from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import views
from .forms import SignInForm
from .middleware import two_factor_exempt

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        login_not_required(
            auth_views.LoginView.as_view(
                template_name="registration/login.html",
                authentication_form=SignInForm,
                redirect_authenticated_user=True,
            )
        ),
        name="login",
    ),
    path("logout/", two_factor_exempt(auth_views.LogoutView.as_view()), name="logout"),
    path("security", views.account_security, name="security"),
    path("two-step/set-up", views.two_factor_setup, name="two_factor_setup"),
    path("two-step/verify", views.two_factor_verify, name="two_factor_verify"),
    path("two-step/recovery-codes", views.two_factor_recovery_codes, name="two_factor_recovery_codes"),
    path("two-step/turn-off", views.two_factor_disable, name="two_factor_disable"),
    path("password-reset", views.password_reset_request, name="password_reset"),
    path("password-reset/sent", views.password_reset_sent, name="password_reset_sent"),
    path("password-reset/<uidb64>/<token>", views.PasswordResetConfirm.as_view(), name="password_reset_confirm"),
    path("password-reset/complete", views.password_reset_complete, name="password_reset_complete"),
    path("set-password/<uidb64>/<token>", views.InviteConfirm.as_view(), name="invite_confirm"),
]
