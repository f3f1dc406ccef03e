from django.urls import path

from patterns import views

app_name = "patterns"

# "compare/" comes before "<slug:key>/" so that it is never read as a pattern key.
urlpatterns = [
    path("", views.library, name="library"),
    path("compare/", views.compare, name="compare"),
    path("<slug:key>/", views.pattern, name="pattern"),
]
