import uuid

from django import forms
from django.utils.text import slugify

from forums import audiences
from forums.choices import NotificationKind, Visibility
from forums.models import CONTENT_NOTE_MAX_LENGTH, Report, Thread

BODY_MAX = 20_000
MAX_TAGS = 5
TAG_MAX_LENGTH = 30
# Form fields are as long as the columns they fill: too long is a form error, never a 500.
TITLE_MAX = Thread._meta.get_field("title").max_length
REPORT_DETAILS_MAX = Report._meta.get_field("details").max_length


class VisibilityField(forms.ChoiceField):
    """ "Who can see this?", offering the audiences its form gives it (forums.audiences),
    each in the words of who it really reaches. Any stored visibility passes the form:
    whether it is one offered where it is used is the write door's to say (it answers on
    this field)."""

    def __init__(self, **kwargs):
        super().__init__(
            widget=forms.RadioSelect,
            label="Who can see this?",
            error_messages={
                "required": "Choose who can see this.",
                "invalid_choice": "Choose who can see this.",
            },
            **kwargs,
        )

    def offer(self, offered):
        self.choices = [(audience.visibility, str(audience)) for audience in offered]

    def valid_value(self, value):
        return value in Visibility.values


class BodyField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Your post")
        super().__init__(
            max_length=BODY_MAX,
            strip=True,
            widget=forms.Textarea(attrs={"rows": 10}),
            # The field, its formatting help and, after Preview, the post as it will look.
            template_name="forums/partials/body_field.html",
            help_text="Markdown works: **bold**, _italic_, lists, `code`, [links](https://…). "
            "Mention someone with @ and their display name.",
            error_messages={
                "required": "Write something before posting.",
                "max_length": (
                    "Posts are limited to %(limit_value)d characters (this one has %(show_value)d)."
                ),
            },
            **kwargs,
        )


class ContentNoteField(forms.CharField):
    """A few words that fold the post behind them ("self-harm", "pregnancy loss")."""

    def __init__(self, **kwargs):
        super().__init__(
            label="Content note",
            required=False,
            max_length=CONTENT_NOTE_MAX_LENGTH,
            strip=True,
            help_text="A few words on what the post is about, such as “self-harm” or "
            "“pregnancy loss”. Your post is then folded behind them on every page: each "
            "reader chooses whether to open it.",
            error_messages={
                "max_length": "Keep the content note to %(limit_value)d characters "
                "(it has %(show_value)d): a few words are enough."
            },
            **kwargs,
        )
        self.widget.attrs.update(autocomplete="off")


def offer_anonymity(form, community):
    """Adds "Post anonymously" to a post's form where the community allows it."""
    if community.allows_anonymous:
        form.fields["anonymous"] = forms.BooleanField(
            required=False,
            label="Post anonymously",
            help_text="Shown as “Anonymous member” to everyone but you, moderators included. "
            "Only a community manager can find out it was you, with a reason, and you "
            "would be told.",
        )
        form.order_fields([*(name for name in form.fields if name != "client_token")])


class SubmitOnceForm(forms.Form):
    """Carries a one-time token: a second submit of the same page finds the first post."""

    client_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_token"].initial = uuid.uuid4()


class PreviewMixin:
    """A post's form with a second submit button, Preview (`name="preview"`). Pressed, the
    form is checked as for posting and shown again with everything typed kept, and its view
    sets `preview_html` to the body as posting would render it; nothing is saved, and the
    one-time token stays unused for the real submit."""

    preview_html = None
    # The content note the preview is folded behind, if one was typed.
    preview_note = ""
    # The preview's heading sits one level below the heading of the form it is in.
    preview_heading_level = 2

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_preview = self.is_bound and "preview" in self.data
        if self.is_preview:
            self.fields["body"].error_messages["required"] = "Write something to preview."


class PersonalDataCheckMixin(forms.Form):
    """A post's form that carries the author's answer to the personal-data check
    (forums.personal_data): asked once, the form comes back with the question (not an
    error: nothing is wrong with it) and the answer set, so sending it again posts it as
    it is."""

    personal_data_ok = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    personal_data_question = None

    def ask_about_personal_data(self, found):
        self.personal_data_question = found.message
        self.data = self.data.copy()
        self.data[self.add_prefix("personal_data_ok")] = found.answer


class ThreadForm(PreviewMixin, PersonalDataCheckMixin, SubmitOnceForm):
    category = forms.ModelChoiceField(queryset=None, empty_label=None)
    kind = forms.ChoiceField(
        choices=Thread.Kind.choices,
        label="What kind of thread?",
        widget=forms.RadioSelect,
        initial=Thread.Kind.DISCUSSION,
    )
    title = forms.CharField(
        max_length=TITLE_MAX,
        error_messages={
            "required": "Give your thread a title.",
            "max_length": (
                "Keep the title under %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
    )
    body = BodyField()
    content_note = ContentNoteField()
    visibility = VisibilityField()
    tags = forms.CharField(
        required=False,
        help_text=f"Up to {MAX_TAGS} tags, separated by commas.",
    )

    field_order = ["category", "kind", "title", "body", "tags", "visibility", "client_token"]

    def __init__(self, *args, community, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = community.categories.all()
        self.fields["visibility"].offer(audiences.thread_audiences(member))
        self.fields["visibility"].initial = member.default_visibility
        offer_anonymity(self, community)

    def clean_tags(self):
        raw = [part.strip() for part in self.cleaned_data["tags"].split(",")]
        tags = list(dict.fromkeys(slugify(part) for part in raw if part))
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(f"Use at most {MAX_TAGS} tags (you gave {len(tags)}).")
        too_long = [tag for tag in tags if len(tag) > TAG_MAX_LENGTH]
        if too_long:
            raise forms.ValidationError(
                f"Keep each tag under {TAG_MAX_LENGTH} characters: {', '.join(too_long)}."
            )
        if any(not tag for tag in tags):
            raise forms.ValidationError("Tags need letters or numbers.")
        return tags


class ReplyForm(PreviewMixin, PersonalDataCheckMixin, SubmitOnceForm):
    """A reply, offering `member` the audiences that make sense in `thread`, starting with
    their default one where it is offered (forums.audiences)."""

    body = BodyField(label="Your reply")
    content_note = ContentNoteField()
    visibility = VisibilityField()

    preview_heading_level = 3  # under the thread page's "Reply"

    field_order = ["body", "visibility", "client_token"]

    def __init__(self, *args, thread, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visibility"].offer(audiences.reply_audiences(member, thread))
        self.fields["visibility"].initial = audiences.default_reply_visibility(member, thread)
        # An anonymous thread's author replies there anonymously, always (post_create).
        if not (thread.is_anonymous and thread.author_id == member.pk):
            offer_anonymity(self, thread.community)


class PostEditForm(PreviewMixin, PersonalDataCheckMixin, forms.Form):
    title = forms.CharField(max_length=TITLE_MAX, required=False)
    body = BodyField()
    content_note = ContentNoteField()
    # The text the edit started from (Post.version): a save over a newer one is refused.
    # (Forms opened before it existed send none: they are saved as they were.)
    version = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)

    def __init__(self, *args, post, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "body": post.body,
                "title": post.thread.title,
                "version": post.version,
                "content_note": post.content_note,
            },
        )
        super().__init__(*args, **kwargs)
        if post.is_opening:
            self.fields["title"].required = True
        else:
            del self.fields["title"]


class PostVisibilityForm(PersonalDataCheckMixin, forms.Form):
    """A post's audience, among those its author may give it in its thread."""

    visibility = VisibilityField()

    def __init__(self, *args, post, thread, **kwargs):
        super().__init__(*args, **kwargs)
        offered = audiences.post_audiences(post, thread=thread)
        self.fields["visibility"].offer(offered)
        current = audiences.audience_of(post, thread=thread, viewer=post.author)
        self.fields["visibility"].initial = audiences.matching_choice(offered, current)


class ThreadListForm(forms.Form):
    """How a list of threads is shown: its sort (categories only) and which page, as the
    cursor of the row it starts after ("older") or before ("newer"). Anything else falls
    back to the first page of the latest threads."""

    SORTS = {
        "latest": "Latest activity",
        "newest": "Newest",
        "top": "Top",
        "unanswered": "Unanswered",
    }

    sort = forms.ChoiceField(choices=list(SORTS.items()), required=False)
    tag = forms.SlugField(required=False)
    older = forms.CharField(max_length=100, required=False)
    newer = forms.CharField(max_length=100, required=False)

    def choices(self):
        """The valid parts of the request, each invalid or missing one as its default."""
        self.is_valid()  # an invalid field is left out of cleaned_data, the others stay
        chosen = {name: self.cleaned_data.get(name) or "" for name in self.fields}
        chosen["sort"] = chosen["sort"] or "latest"
        return chosen


class SearchForm(forms.Form):
    # The fields that narrow what the words find.
    FILTERS = frozenset({"community", "kind", "tag", "solved"})

    q = forms.CharField(label="Search for", max_length=200, required=False)
    community = forms.SlugField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        choices=[("", "Any kind"), *Thread.Kind.choices], required=False, label="Kind"
    )
    tag = forms.SlugField(required=False, label="Tag")
    solved = forms.ChoiceField(
        choices=[("", "Solved or not"), ("yes", "Solved"), ("no", "Unsolved")],
        required=False,
        label="Solved",
    )

    def filtered(self):
        """Whether any valid filter narrows what the words find."""
        return self.is_valid() and any(self.cleaned_data[name] for name in self.FILTERS)


class NotificationSettingsForm(forms.Form):
    email = forms.MultipleChoiceField(
        choices=NotificationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Also send me an e-mail for",
        help_text="E-mails say who did what and link to it; they never carry the post itself.",
    )
    weekly_digest = forms.BooleanField(
        required=False,
        label="Once a week, e-mail me the titles of new threads in my communities",
        help_text="Only threads you may read, never what anyone wrote in them. "
        "Every digest has a link to stop it.",
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        choices=Report.Reason.choices, widget=forms.RadioSelect, label="What is wrong with it?"
    )
    details = forms.CharField(
        required=False,
        max_length=REPORT_DETAILS_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Anything the moderators should know",
        help_text="Only the moderators read this. The author is not told who reported them.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == Report.Reason.OTHER and not cleaned.get("details", "").strip():
            self.add_error("details", "Tell the moderators what is wrong.")
        return cleaned
