"""The project's URLs: accounts, platform pages, then each app's own."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from scorecard.forms import LoginForm
from scorecard.views import health, jobs, pages

admin.site.site_header = "Public Scorecard administration"
admin.site.site_title = "Public Scorecard"

urlpatterns = [
    path("", pages.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("background-jobs/", jobs.background_jobs, name="background-jobs"),
    path("background-jobs/heartbeats/", jobs.heartbeats, name="heartbeat-rows"),
    path("background-jobs/heartbeat/", jobs.heartbeat_send, name="heartbeat-send"),
    path("healthz/", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("strategy.urls")),
]

handler400 = "scorecard.views.errors.bad_request"
handler403 = "scorecard.views.errors.permission_denied"
handler404 = "scorecard.views.errors.page_not_found"
handler500 = "scorecard.views.errors.server_error"
