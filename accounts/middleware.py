from django.conf import settings
from django.contrib.auth.views import redirect_to_login

# The pages (view names) an anonymous visitor needs to become, or get back to being, a member.
OPEN_TO_VISITORS = frozenset(
    {
        "account_login",
        "account_signup",
        "account_confirm_email",
        "account_email_verification_sent",
        "account_inactive",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        "mfa_authenticate",
        "health",
        # The sign-in page's own icon, asked for by the browser.
        "favicon",
        # The link in every weekly digest: it works without signing in (its token decides).
        "forums:digest_unsubscribe",
        # Only sends staff on to account_login, keeping where in the admin they were going.
        "admin:login",
    }
)


class MembersOnlyMiddleware:
    """With HEARTH_MEMBERS_ONLY on, an anonymous visitor is asked to sign in everywhere but
    on the way in. The admin too: staff sign in through allauth like everyone else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.HEARTH_MEMBERS_ONLY or request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match.view_name in OPEN_TO_VISITORS:
            return None
        return redirect_to_login(request.get_full_path())
