"""Every text a form takes fits the column it is written to: too long is a form error with
the text kept, never a database error that loses what was typed."""

import pytest

from accounts.forms import ProfileForm
from accounts.models import Member
from forums.forms import PostEditForm, ReportForm, ThreadForm
from forums.models import ModerationAction, Notification, Post, Report, Thread
from forums.moderation.forms import MembershipAdminForm, ModerationForm

# (form, field) -> the columns its value is written to
WRITES = [
    (ThreadForm, "title", [(Thread, "title")]),
    (PostEditForm, "title", [(Thread, "title")]),
    (ReportForm, "details", [(Report, "details")]),
    (ProfileForm, "bio", [(Member, "bio")]),
    (ProfileForm, "display_name", [(Member, "display_name")]),
    (ModerationForm, "reason", [(ModerationAction, "reason"), (Post, "hidden_reason")]),
    (MembershipAdminForm, "reason", [(ModerationAction, "reason")]),
]


@pytest.mark.parametrize("form, field, columns", WRITES)
def test_a_form_field_is_as_long_as_its_columns(form, field, columns):
    declared = form.base_fields[field].max_length
    assert declared is not None
    for model, column in columns:
        assert declared == model._meta.get_field(column).max_length, (model, column)


def test_a_reason_and_its_words_fit_a_notification():
    reason = ModerationForm.base_fields["reason"].max_length
    community_name = 80
    assert reason + community_name + 200 <= Notification._meta.get_field("message").max_length
