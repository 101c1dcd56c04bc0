from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("members/<slug:handle>/", views.profile, name="profile"),
    path("settings/profile/", views.profile_edit, name="profile_edit"),
    path("settings/circle/", views.circle_settings, name="circle"),
    path("settings/reading/", views.reading_settings, name="reading"),
    path("settings/data/", views.your_data, name="data"),
    path("settings/data/download/", views.data_download, name="data_download"),
    path("media/avatars/<str:name>", views.avatar_file, name="avatar_file"),
]
