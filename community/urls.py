from django.contrib import admin
from django.urls import include, path

from accounts.views import health
from community.redirects import favicon
from forums import views as forum_views

urlpatterns = [
    path("", forum_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("accounts.urls")),
    path("", include("forums.urls")),
]

# Every uncaught exception, a lost database included, ends here when DEBUG is off.
handler500 = "community.errors.server_error"
