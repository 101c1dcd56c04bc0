from django.db import models


class Visibility(models.TextChoices):
    """Who sees a thread or post; the author chooses, in plain words."""

    PUBLIC = "public", "Community"
    CIRCLE = "circle", "My circle"
    PRIVATE = "private", "Only me"


VISIBILITY_HELP = {
    Visibility.PUBLIC: "Everyone who can read this community",
    Visibility.CIRCLE: "You and the members of your circle",
    Visibility.PRIVATE: "You alone, like a journal",
}


class NotificationKind(models.TextChoices):
    REPLY = "reply", "Replies to what I follow"
    NEW_THREAD = "new_thread", "New threads in categories I follow"
    MENTION = "mention", "Mentions of me"
    ACCEPTED = "accepted", "My answer accepted"
    MODERATION = "moderation", "Moderators' decisions"
