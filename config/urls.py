from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api.views import ObtainTokenApi, RevokeTokenApi
from evaluations import views as evaluation_views
from programs import views as program_views

admin.site.site_header = _("Megaproject administration")
admin.site.site_title = _("Megaproject")

urlpatterns = [
    path("healthz", program_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/token/", ObtainTokenApi.as_view(), name="api-token"),
    path("api/token/logout/", RevokeTokenApi.as_view(), name="api-token-logout"),
    path("api/", include("programs.api.urls")),
    path("api/", include("consortia.api.urls")),
    path("api/", include("evaluations.api.urls")),
    path("api/awards/", include("awards.api.urls")),
    path("api/monitoring/", include("monitoring.api.urls")),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", program_views.home, name="home"),
    path("calls/", program_views.open_calls, name="open-calls"),
    path("calls/<int:pk>/guideline/", program_views.call_guideline, name="call-guideline"),
    path("my/results/", evaluation_views.my_results, name="evaluation-results"),
    path("", include("awards.urls")),
    path("", include("monitoring.urls")),
    path("", include("consortia.urls")),
]

# The API answers every error as {"detail", "fields"}, even outside DRF's views.
handler400 = "config.errors.bad_request"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
