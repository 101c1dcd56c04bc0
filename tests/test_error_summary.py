"""A form that comes back with errors opens with a summary of them (the GOV.UK error summary):
focused on load without JavaScript, each error a link to the field it is about, and every
field with an error marked invalid and described by it. Hearth's forms and allauth's alike."""

import re
import uuid

import pytest
from django.utils.translation import gettext, ngettext

from tests.factories import join, make_community

SIGNUP = "/accounts/signup/"


def error_summary(page):
    match = re.search(r'<div class="error-summary"(.*?)</ul>\s*</div>\s*</div>', page, re.S)
    assert match, "no error summary on the page"
    return match.group(0)


def summary_links(summary):
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


@pytest.fixture
def community(db):
    return make_community("Runners")


def test_a_thread_with_errors_opens_with_a_summary_linked_to_the_fields(
    client, member, community, django_assert_num_queries
):
    join(member, community)
    client.force_login(member)
    data = {
        "category": community.categories.first().pk,
        "kind": "question",
        "title": "",
        "body": "Words kept as typed.",
        "visibility": "everyone",
        "tags": "",
        "client_token": str(uuid.uuid4()),
    }
    with django_assert_num_queries(9):
        response = client.post(f"/c/{community.slug}/new/", data)
    assert response.status_code == 200
    page = response.content.decode()

    summary = error_summary(page)
    assert 'tabindex="-1" autofocus' in summary
    assert ">There are 2 problems</h2>" in summary
    assert summary_links(summary) == [
        ("id_title", "Give your thread a title."),
        ("id_visibility_0", "Choose who can see this."),
    ]
    # Every link leads somewhere on the page, and the summary comes before the fields.
    assert 'id="id_title"' in page and 'id="id_visibility_0"' in page
    assert page.index("error-summary") < page.index('id="id_title"')
    # The errors stay beside their fields too, and the inputs say so.
    title_input = re.search(r"<input[^>]*name=\"title\"[^>]*>", page).group(0)
    assert 'aria-invalid="true"' in title_input
    assert 'aria-describedby="id_title_error"' in title_input
    assert '<ul class="errorlist" id="id_title_error"><li>Give your thread a title.</li>' in page
    assert "Words kept as typed." in page
    assert "<title>Error: Start a thread" in page


def test_one_problem_is_a_problem(client, member):
    client.force_login(member)
    response = client.post("/settings/profile/", {"display_name": "x", "default_visibility": ""})
    summary = error_summary(response.content.decode())
    assert ">There is a problem</h2>" in summary
    assert summary_links(summary) == [("id_display_name", "Use at least 2 characters.")]


def test_the_sign_up_summary_lists_allauth_errors_once(client, db):
    response = client.post(
        SIGNUP,
        {
            "email": "not an address",
            "display_name": "Wren",
            "password1": "a quiet evening walk",
            "password2": "a different walk",
        },
    )
    page = response.content.decode()
    assert page.count('class="error-summary"') == 1
    assert summary_links(error_summary(page)) == [
        ("id_email", "Enter an e-mail address in the right form, like name@example.org."),
        ("id_password2", "The two passwords are different. Type the same one twice."),
    ]
    assert "<title>Error:" in page


def test_an_error_about_the_whole_form_is_in_the_summary_without_a_link(client, db):
    """The honeypot's answer is about the form: a person never sees the field it came from."""
    response = client.post(
        SIGNUP,
        {
            "email": "bot@example.org",
            "display_name": "Bot",
            "password1": "a quiet evening walk",
            "password2": "a quiet evening walk",
            "website": "http://spam.example",
        },
    )
    summary = error_summary(response.content.decode())
    assert "<li>Sign-up did not work. Please try again.</li>" in summary
    assert summary_links(summary) == []


def test_allauth_single_fields_are_marked_invalid_and_summarised(member_client):
    response = member_client.post("/accounts/email/", {"action_add": "", "email": "nope"})
    page = response.content.decode()
    assert summary_links(error_summary(page)) == [
        ("id_email", "Enter an e-mail address in the right form, like name@example.org.")
    ]
    email_input = re.search(r'<input[^>]*id="id_email"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in email_input
    assert 'aria-describedby="id_email_error"' in email_input
    assert '<ul class="errorlist" id="id_email_error">' in page


def test_a_form_without_errors_has_no_summary(client, db):
    page = client.get(SIGNUP).content.decode()
    assert "error-summary" not in page
    assert "<title>Error:" not in page


def test_django_messages_read_in_hearths_words():
    assert gettext("This field is required.") == "Fill in this field."
    message = ngettext(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        2,
    )
    assert message % {"limit_value": 2, "show_value": 1} == "Use at least 2 characters."
