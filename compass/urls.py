from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from compass.login import LoginView, ThrottledAdminAuthenticationForm
from portfolio.api.main import api

admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    path("", include("portfolio.urls")),
    path("p/<str:key>/workshops/", include("portfolio.workshops.urls")),
    path("library/", include("patterns.urls")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
