"""Production settings that `manage.py check --deploy` refuses: each would run, and each would
quietly break a promise (sessions signed with a published key, reset links in the logs, rate
limits counted per worker). README.md, "Deploying", explains each id."""

from django.conf import settings
from django.core.checks import Error, register

# Back ends that keep mail on this machine: nobody receives it, and the console writes
# password-reset and confirmation links into the logs.
UNDELIVERED_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}


@register(deploy=True)
def check_secret_key_is_not_the_development_one(app_configs, **kwargs):
    """The development SECRET_KEY is in the repository: anyone could sign a session with it."""
    if settings.SECRET_KEY != settings.HEARTH_DEVELOPMENT_SECRET_KEY:
        return []
    return [
        Error(
            "SECRET_KEY is the development key published in Hearth's repository.",
            hint="Set SECRET_KEY to a long random value, e.g. from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`.",
            id="hearth.E001",
        )
    ]


@register(deploy=True)
def check_email_is_delivered(app_configs, **kwargs):
    """E-mail in production leaves the machine: the console and memory back ends deliver
    nothing, and the console prints reset links where whoever reads the logs can use them."""
    if settings.EMAIL_BACKEND not in UNDELIVERED_EMAIL_BACKENDS:
        return []
    return [
        Error(
            f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: no member receives mail, and "
            "password-reset links end up in the logs or nowhere.",
            hint="Leave EMAIL_BACKEND unset for SMTP (EMAIL_HOST, EMAIL_PORT, ...) or set "
            "another back end that delivers.",
            id="hearth.E002",
        )
    ]


@register(deploy=True)
def check_several_workers_share_a_cache(app_configs, **kwargs):
    """More than one worker needs REDIS_URL: without it each process keeps its own cache, so
    a member's rate limits are counted per worker and cached data is not shared."""
    if settings.REDIS_URL or settings.WEB_CONCURRENCY <= 1:
        return []
    return [
        Error(
            f"WEB_CONCURRENCY is {settings.WEB_CONCURRENCY} but REDIS_URL is not set: each "
            "worker would keep its own cache, and rate limits would not be shared.",
            hint="Set REDIS_URL (e.g. redis://127.0.0.1:6379/0), or run one worker.",
            id="hearth.E003",
        )
    ]


@register(deploy=True)
def check_body_limit_admits_an_avatar(app_configs, **kwargs):
    """The request-body cap must leave room for the largest avatar the form accepts, or
    members would be told 413 instead of the form's own message."""
    if settings.HEARTH_MAX_REQUEST_BYTES > settings.HEARTH_AVATAR_MAX_BYTES:
        return []
    return [
        Error(
            f"HEARTH_MAX_REQUEST_BYTES ({settings.HEARTH_MAX_REQUEST_BYTES}) is not larger than "
            f"HEARTH_AVATAR_MAX_BYTES ({settings.HEARTH_AVATAR_MAX_BYTES}).",
            hint="Leave HEARTH_MAX_REQUEST_BYTES unset (the avatar limit plus 1 MiB) or raise it.",
            id="hearth.E004",
        )
    ]
