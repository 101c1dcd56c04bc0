from allauth.account.adapter import DefaultAccountAdapter

from accounts.services import assign_display_name


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Signs a member up with the display name they chose; the form has validated it."""
        user = super().save_user(request, user, form, commit=False)
        assign_display_name(user, form.cleaned_data["display_name"])
        if commit:
            user.save()
        return user
