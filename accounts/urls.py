from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("members/<slug:handle>/", views.profile, name="profile"),
    path("settings/profile/", views.profile_edit, name="profile_edit"),
    path("settings/circle/", views.circle_settings, name="circle"),
    path("media/avatars/<str:name>", views.avatar_file, name="avatar_file"),
]
