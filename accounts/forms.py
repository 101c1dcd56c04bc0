from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError

from accounts import names
from accounts.avatars import reencode_avatar
from accounts.models import Member
from accounts.services import validate_new_display_name
from forums.choices import Visibility

DISPLAY_NAME_HELP = (
    "How other members will know you. Use a pseudonym if you like: nobody here sees your "
    "e-mail address."
)


class DisplayNameField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            max_length=names.MAX_LENGTH,
            min_length=names.MIN_LENGTH,
            help_text=DISPLAY_NAME_HELP,
            **kwargs,
        )
        self.widget.attrs.update(autocomplete="nickname", spellcheck="false")


class SignupForm(AllauthSignupForm):
    display_name = DisplayNameField(label="Display name")
    # A honeypot: hidden from people (and from screen readers), filled in by bots.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    field_order = ["email", "display_name", "password1", "password2", "website"]

    def clean_display_name(self):
        return validate_new_display_name(self.cleaned_data["display_name"])

    def clean_website(self):
        if self.cleaned_data["website"]:
            # About the form, not the field: a person never sees the field to correct it.
            self.add_error(None, "Sign-up did not work. Please try again.")
        return ""

    def try_save(self, request):
        """A new sign-up hashes the password; so does one with a registered address, which
        allauth answers with the same page, so that the time taken does not tell them apart."""
        if self.account_already_exists:
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)


class ProfileForm(forms.Form):
    display_name = DisplayNameField(label="Display name")
    bio = forms.CharField(
        label="About you",
        required=False,
        max_length=Member._meta.get_field("bio").max_length,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="A few words other members will see on your profile (600 characters at most).",
    )
    open_to_mentoring = forms.BooleanField(label="I am open to mentoring", required=False)
    default_visibility = forms.ChoiceField(
        label="Who sees my new posts, unless I choose otherwise",
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    avatar = forms.FileField(
        label="New picture",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text=(
            f"PNG, JPEG or WebP, up to {settings.HEARTH_AVATAR_MAX_BYTES // 1_048_576} MB. "
            "We crop it square and remove everything but the picture (location, camera, dates)."
        ),
    )
    remove_avatar = forms.BooleanField(label="Remove my picture", required=False)

    def __init__(self, *args, member, **kwargs):
        self.member = member
        kwargs.setdefault(
            "initial",
            {
                "display_name": member.display_name,
                "bio": member.bio,
                "open_to_mentoring": member.open_to_mentoring,
                "default_visibility": member.default_visibility,
            },
        )
        super().__init__(*args, **kwargs)

    def clean_display_name(self):
        return validate_new_display_name(self.cleaned_data["display_name"], member=self.member)

    def clean_avatar(self):
        upload = self.cleaned_data.get("avatar")
        if not upload:
            return None
        try:
            return reencode_avatar(upload)
        except ValidationError as error:
            raise ValidationError(error.messages) from error


class ReadingSettingsForm(forms.Form):
    """How posts with a content note show to the member. A note folds its post for every
    reader by default, as its author asked; a member may choose to have such posts shown
    open instead, the note still above the post (and a click folds it)."""

    fold_content_notes = forms.TypedChoiceField(
        label="Posts with a content note",
        choices=Member._meta.get_field("fold_content_notes").choices,
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
        help_text="An author can add a content note, such as “self-harm”, to a post. "
        "Unless you choose otherwise here, the post is folded behind its note on every page "
        "until you open it.",
        error_messages={"required": "Choose how posts with a content note show to you."},
    )


class MemberByNameForm(forms.Form):
    """Finds another member by the display name they go by."""

    name = forms.CharField(label="Display name", max_length=names.MAX_LENGTH)

    def __init__(self, *args, viewer, **kwargs):
        self.viewer = viewer
        super().__init__(*args, **kwargs)

    def clean_name(self):
        key = names.display_name_key(self.cleaned_data["name"])
        member = Member.objects.filter(display_name_key=key, is_active=True).first()
        if member is None:
            raise forms.ValidationError("No member goes by that name. Check the spelling.")
        if member.pk == self.viewer.pk:
            raise forms.ValidationError("That is you.")
        return member


class AccountDeleteForm(forms.Form):
    """Deleting an account asks for the password again, and for a code from the member's
    authenticator app (or a recovery code) when two-factor authentication is on."""

    KEEP, ERASE = "keep", "erase"
    posts = forms.ChoiceField(
        label="What happens to what you wrote",
        choices=[
            (KEEP, "Keep my community posts, shown as written by “Former member”"),
            (ERASE, "Erase all my posts"),
        ],
        widget=forms.RadioSelect,
        help_text=(
            "Either way, posts only your circle or only you could see are erased, and "
            "replies others wrote in your threads stay."
        ),
        error_messages={"required": "Choose what happens to your posts."},
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password to delete your account."},
    )
    code = forms.CharField(
        label="Code from your authenticator app, or a recovery code",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    confirm = forms.BooleanField(
        label="I understand that my account cannot be brought back.",
        error_messages={"required": "Tick the box to confirm."},
    )

    def __init__(self, *args, member, **kwargs):
        from allauth.mfa.utils import is_mfa_enabled

        self.member = member
        super().__init__(*args, **kwargs)
        self.two_factor = is_mfa_enabled(member)
        if not self.two_factor:
            del self.fields["code"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.member.check_password(password):
            raise ValidationError("That is not your password.")
        return password

    def clean_code(self):
        from allauth.mfa.base.forms import BaseAuthenticateForm

        code = self.cleaned_data["code"]
        if not code:
            raise ValidationError("Enter a code from your authenticator app.")
        # allauth's own check: TOTP or an unused recovery code, with its rate limit.
        check = BaseAuthenticateForm(data={"code": code}, user=self.member)
        if not check.is_valid():
            raise ValidationError(check.errors["code"])
        return code

    @property
    def erase_posts(self):
        return self.cleaned_data["posts"] == self.ERASE
