from django import forms

from forums.models import REASON_MAX_LENGTH, Category, Membership

SUSPENSIONS = [(1, "1 day"), (3, "3 days"), (7, "7 days"), (30, "30 days"), (365, "a year")]


class ReasonField(forms.CharField):
    """A moderator's reason: logged, and shown to the member where they are told of it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text", "Logged, and shown to the member where they are told of the decision."
        )
        super().__init__(
            max_length=REASON_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
            **kwargs,
        )


class ModerationForm(forms.Form):
    """What a queue action asks for: a reason (required where the member is told why), a
    duration for a suspension, a category for a move."""

    reason = ReasonField()
    days = forms.TypedChoiceField(label="Suspend for", coerce=int, choices=SUSPENSIONS, initial=7)
    category = forms.ModelChoiceField(queryset=Category.objects.none(), empty_label=None)

    def __init__(self, *args, action, posts, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        if action.needs_reason:
            self.fields["reason"].required = True
        if action.name != "suspend":
            del self.fields["days"]
        if action.name == "move":
            communities = {post.thread.community_id for post in posts}
            self.fields["category"].queryset = Category.objects.filter(community__in=communities)
        else:
            del self.fields["category"]


class MembershipAdminForm(forms.ModelForm):
    """A site manager's change to a membership: the role and state are carried out by the
    moderation services (logged, the member told), with the reason given here."""

    reason = ReasonField(help_text="Logged with the change, and shown to the member.")

    class Meta:
        model = Membership
        fields = ["community", "member", "role", "state"]


class RevealForm(forms.Form):
    """A community manager's reason to learn who wrote an anonymous post."""

    reason = ReasonField(
        required=True,
        help_text="Why you need to know who wrote it. Logged, and sent to the author, who "
        "is told that they were identified.",
    )
