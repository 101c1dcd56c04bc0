from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from accounts.services import assign_display_name
from community.background import defer


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Signs a member up with the display name they chose; the form has validated it."""
        user = super().save_user(request, user, form, commit=False)
        assign_display_name(user, form.cleaned_data["display_name"])
        if commit:
            user.save()
        return user

    def confirm_email(self, request, email_address):
        """A verified address at an employer's domain joins its communities at once."""
        from forums.services import memberships_for_verified_email

        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            memberships_for_verified_email(member=email_address.user, email=email_address.email)
        return confirmed

    def send_mail(self, template_prefix, email, context):
        """Renders the e-mail here, where its links are made, and leaves the sending to a
        worker (accounts.tasks.send_account_email)."""
        from accounts.tasks import send_account_email

        # Every account e-mail names the site as its pages do, never the host it was asked on.
        context = {"site_name": settings.HEARTH_SITE_NAME, **context}
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (
                content
                for content, kind in getattr(message, "alternatives", [])
                if kind == "text/html"
            ),
            None,
        )
        defer(
            send_account_email,
            subject=message.subject,
            body=message.body,
            from_email=message.from_email,
            to=list(message.to),
            html=html,
            headers=dict(message.extra_headers),
        )
