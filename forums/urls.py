from django.urls import path

from forums import views
from forums.feeds import CommunityFeed

app_name = "forums"

urlpatterns = [
    path("c/<slug:community>/", views.community_detail, name="community"),
    path("c/<slug:community>/join/", views.community_join, name="community_join"),
    path("c/<slug:community>/leave/", views.community_leave, name="community_leave"),
    path("c/<slug:community>/new/", views.thread_create, name="thread_create"),
    path("c/<slug:community>/feed/", CommunityFeed(), name="community_feed"),
    path("c/<slug:community>/<slug:category>/", views.category_detail, name="category"),
    path(
        "c/<slug:community>/<slug:category>/follow/",
        views.category_follow,
        name="category_follow",
    ),
    path("t/<int:pk>/", views.thread_detail, name="thread_short"),
    path("t/<int:pk>/reply/", views.thread_reply, name="thread_reply"),
    path("t/<int:pk>/follow/", views.thread_follow, name="thread_follow"),
    path("t/<int:pk>/status/", views.thread_idea_status, name="thread_idea_status"),
    path("t/<int:pk>/accept/<int:post_pk>/", views.thread_accept, name="thread_accept"),
    path("t/<int:pk>/<str:slug>/", views.thread_detail, name="thread"),
    path("p/<int:pk>/", views.post_permalink, name="post"),
    path("p/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("p/<int:pk>/audience/", views.post_visibility, name="post_visibility"),
    path("p/<int:pk>/delete/", views.post_delete, name="post_delete"),
    path("p/<int:pk>/vote/", views.post_vote, name="post_vote"),
    path("p/<int:pk>/history/", views.post_history, name="post_history"),
    path("p/<int:pk>/report/", views.post_report, name="post_report"),
    path("search/", views.search, name="search"),
    path("tags/<slug:tag>/", views.tag_detail, name="tag"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("settings/notifications/", views.notification_settings, name="notification_settings"),
    path("digest/unsubscribe/<str:token>/", views.digest_unsubscribe, name="digest_unsubscribe"),
]
