from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from compass.login import LoginView, ThrottledAdminAuthenticationForm
from portfolio.api.main import api

admin.site.login_form = ThrottledAdminAuthenticationForm


class FaviconView(RedirectView):
    """Redirect /favicon.ico, which a browser requests for a response that names no icon, to the SVG icon."""

    def get_redirect_url(self, *args, **kwargs):
        # Resolved per request, because the manifest storage's hashed name exists only after
        # collectstatic.
        return static("img/favicon.svg")

urlpatterns = [
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("", include("portfolio.urls")),
    path("p/<str:key>/workshops/", include("portfolio.workshops.urls")),
    path("library/", include("patterns.urls")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
