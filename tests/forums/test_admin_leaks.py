"""What a moderator reads in the admin, tried on every page of every registered ModelAdmin.

Secret words are planted where a volunteer moderator of Runners must never read them: in
another community, in members' e-mail addresses and sign-up times, in tags, and in the
unreported circle and only-me threads and posts of Runners itself. The test walks every
ModelAdmin the site registers (one added later is walked too, with no edit here): its list
with each declared filter, searches for every secret, every object's change, history and
delete pages, every autocomplete and every "View on site" link, and finds none of them."""

import datetime
import json

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts.models import CircleMembership, Member
from forums.models import Report
from forums.services import post_delete
from tests.factories import (
    join,
    make_community,
    make_community_manager,
    make_reply,
    make_thread,
    make_volunteer,
)

# Unusual words, so that finding one anywhere in a page means it leaked.
ELSEWHERE = ["zanzibarlaw", "quokkafig", "yonlyperson", "marmaladeharbour"]
CIRCLE_AND_ONLY_ME = [
    "hepatitiscircle",
    "asthmajournal",
    "circlereplyword",
    "onlymereplyword",
    "circletagword",
    "deletedpostword",
]
PERSONAL = ["hospital-secret.example", "1987"]
SIGNED_UP = timezone.make_aware(datetime.datetime(1987, 3, 7, 4, 5, 6))


@pytest.fixture
def world(member_factory):
    runners = make_community("Runners")
    garden = make_community("Marmaladeharbour", read_access="private")
    author = member_factory("Lantern Moth", email="lantern@hospital-secret.example")
    friend = member_factory("Friend")
    reporter = member_factory("Reporter")
    outsider = member_factory("Yonlyperson", email="yonly@hospital-secret.example")
    Member.objects.update(date_joined=SIGNED_UP)
    for person in (author, friend, reporter):
        join(person, runners)
    join(outsider, garden)
    CircleMembership.objects.create(owner=author, member=friend)

    # Runners: what its community reads, and what stays with its audience.
    public = make_thread(author, runners, title="Training plans", body="Ten kilometres.")
    make_reply(friend, public, body="A public reply.")
    make_reply(author, public, body="circlereplyword for friends", visibility="circle")
    make_reply(author, public, body="onlymereplyword for me", visibility="private")
    gone = make_reply(author, public, body="deletedpostword, since taken back")
    post_delete(post=gone, by=author)
    make_thread(
        author,
        runners,
        title="hepatitiscircle diary",
        body="Circle body hepatitiscircle.",
        visibility="circle",
        tags=["circletagword"],
    )
    make_thread(
        author, runners, title="asthmajournal", body="asthmajournal notes", visibility="private"
    )
    spam = make_reply(friend, public, body="Buy cheap pills at spam.example")
    Report.objects.create(post=spam, reporter=reporter, reason="spam", details="Spam, plainly.")

    # Another community, with a report there too.
    secret = make_thread(
        outsider, garden, title="zanzibarlaw", body="quokkafig", tags=["quokkafig"]
    )
    other_report = make_reply(outsider, secret, body="zanzibarlaw again")
    Report.objects.create(post=other_report, reporter=outsider, reason="other", details="quokkafig")
    return runners, garden


@pytest.fixture
def volunteer(world):
    runners, _ = world
    return make_volunteer(runners)


@pytest.fixture
def manager(world):
    return make_community_manager()


def _object_urls(model):
    info = model._meta.app_label, model._meta.model_name
    concrete = model._meta.concrete_model
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    for pk in concrete._default_manager.values_list("pk", flat=True):
        yield reverse("admin:{}_{}_change".format(*info), args=[pk])
        yield reverse("admin:{}_{}_history".format(*info), args=[pk])
        yield reverse("admin:{}_{}_delete".format(*info), args=[pk])
        yield reverse("admin:view_on_site", args=[content_type.pk, pk])


def _changelist_urls(client, model, model_admin):
    """The list, and the list under each choice of each filter it declares."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    yield url
    response = client.get(url)
    changelist = response.context and response.context.get("cl")
    if changelist is None:
        return
    for spec in changelist.filter_specs:
        for choice in spec.choices(changelist):
            yield url + choice["query_string"]
    if model_admin.date_hierarchy:
        yield url + "?" + f"{model_admin.date_hierarchy}__year={timezone.now().year}"


def _autocomplete_urls(model_admin):
    for field_name in model_admin.autocomplete_fields:
        for term in ["", "yonly", "hospital"]:
            yield (
                reverse("admin:autocomplete") + f"?app_label={model_admin.opts.app_label}"
                f"&model_name={model_admin.opts.model_name}&field_name={field_name}&term={term}"
            )


def _read(client, url):
    response = client.get(url)
    text = response.content.decode(errors="replace") + response.get("Location", "")
    return response, text.lower()


def _walk(client):
    """Every page of every registered ModelAdmin: (url, lower-cased page and redirect)."""
    for url in ["/admin/", "/admin/forums/", "/admin/accounts/"]:
        yield url, _read(client, url)[1]
    for model, model_admin in admin.site._registry.items():
        for url in [
            *_changelist_urls(client, model, model_admin),
            *_object_urls(model),
            *_autocomplete_urls(model_admin),
        ]:
            yield url, _read(client, url)[1]


@pytest.mark.parametrize(
    "who, secrets",
    [
        ("volunteer", ELSEWHERE + CIRCLE_AND_ONLY_ME + PERSONAL),
        # The site's managers see every community, and still no circle or only-me text.
        ("manager", CIRCLE_AND_ONLY_ME),
    ],
)
def test_no_admin_page_shows_what_the_moderator_may_not_read(db, client, request, who, secrets):
    staff = request.getfixturevalue(who)
    client.force_login(staff)
    visited = 0
    for url, page in _walk(client):
        visited += 1
        leaked = [secret for secret in secrets if secret in page]
        assert not leaked, f"{url} shows {leaked}"
    assert visited > 100


def test_the_walk_reads_what_is_open(client, volunteer):
    """The walk would see a leak: what Runners may read, and what was reported, is there."""
    client.force_login(volunteer)
    pages = " ".join(page for _, page in _walk(client))
    for visible in ["training plans", "buy cheap pills", "lantern moth", "circle thread by"]:
        assert visible in pages


@pytest.mark.parametrize(
    "who, secrets",
    [
        ("volunteer", CIRCLE_AND_ONLY_ME + ELSEWHERE + ["hospital-secret"]),
        ("manager", CIRCLE_AND_ONLY_ME),
    ],
)
def test_searches_answer_no_question_about_secret_text(db, client, request, who, secrets):
    staff = request.getfixturevalue(who)
    client.force_login(staff)
    searched = 0
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        nothing = client.get(url, {"q": "wordthatexistsnowhere"})
        if nothing.status_code != 200 or not nothing.context["cl"].search_fields:
            continue
        for secret in secrets:
            assert client.get(url, {"q": secret}).context["cl"].result_count == 0, (url, secret)
        searched += 1
    assert searched >= 5


UNDECLARED = [
    ("forums", "post", "visibility__exact=private&body__icontains=asthmajournal"),
    ("forums", "post", "body__icontains=hepatitiscircle"),
    ("forums", "thread", "title__icontains=hepatitis"),
    ("accounts", "member", "email__iendswith=hospital-secret.example"),
    ("accounts", "member", "date_joined__gte=1987-01-01"),
    ("forums", "report", "reporter=1"),
    ("forums", "moderationqueueitem", "body__icontains=pills"),
]


@pytest.mark.parametrize("app, model, query", UNDECLARED)
def test_undeclared_lookups_answer_like_an_unknown_parameter(client, volunteer, app, model, query):
    client.force_login(volunteer)
    url = f"/admin/{app}/{model}/"
    unknown = client.get(f"{url}?no_such_field=1")
    asked = client.get(f"{url}?{query}")
    assert unknown.status_code == asked.status_code == 302
    assert asked["Location"] == unknown["Location"] == f"{url}?e=1"


def test_declared_filters_still_filter(client, volunteer):
    client.force_login(volunteer)
    response = client.get("/admin/forums/post/", {"visibility__exact": "circle"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2  # the circle thread and the circle reply


def test_every_registered_admin_accepts_only_declared_filters():
    from community.admin import DeclaredFiltersOnly

    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, DeclaredFiltersOnly), model


def test_view_on_site_leads_only_where_the_moderator_may_read(client, volunteer, world):
    from forums.models import Thread

    client.force_login(volunteer)
    content_type = ContentType.objects.get_for_model(Thread)
    for thread in Thread.objects.all():
        response = client.get(reverse("admin:view_on_site", args=[content_type.pk, thread.pk]))
        if thread.title == "Training plans":
            assert response.status_code == 302
            assert response["Location"] == thread.get_absolute_url()
        else:
            assert response.status_code == 404


def test_a_report_opens_the_post_and_its_thread_title(client, volunteer, world):
    from forums.models import Post

    runners, _ = world
    client.force_login(volunteer)
    circle_post = Post.objects.get(is_opening=True, thread__title__startswith="hepatitiscircle")
    thread_page = f"/admin/forums/thread/{circle_post.thread_id}/change/"
    before = client.get(thread_page).content.decode()
    assert "hepatitiscircle" not in before.lower()
    assert "Circle thread by Lantern Moth · 1 post" in before

    Report.objects.create(post=circle_post, reporter=circle_post.author, reason="harmful")
    after = client.get(thread_page).content.decode()
    assert "hepatitiscircle diary" in after
    queue = client.get("/admin/forums/moderationqueueitem/").content.decode()
    assert "Circle body hepatitiscircle." in queue


def test_the_admin_json_autocomplete_stays_in_scope(client, volunteer):
    client.force_login(volunteer)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "forums", "model_name": "membership", "field_name": "member", "term": ""},
    )
    names = {result["text"] for result in json.loads(response.content)["results"]}
    assert "Lantern Moth" in names
    assert "Yonlyperson" not in names


def test_history_names_staff_by_display_name_not_e_mail(client, volunteer, world, member_factory):
    """Another staff member's change shows in a history page by display name alone."""
    from django.contrib.admin.models import CHANGE, LogEntry

    from forums.models import Thread

    thread = Thread.objects.get(title="Training plans")
    other = member_factory("Mod Two", email="modtwo@hospital-secret.example", is_staff=True)
    LogEntry.objects.log_actions(
        user_id=other.pk, queryset=[thread], action_flag=CHANGE, change_message="[]"
    )
    client.force_login(volunteer)
    page = client.get(f"/admin/forums/thread/{thread.pk}/history/").content.decode()
    assert "Mod Two" in page
    assert "hospital-secret" not in page


def test_the_index_shows_no_stored_names_of_objects(client, volunteer, world):
    """Django's "My actions" box keeps the name an object had when changed: a thread narrowed
    since would still show its old title there."""
    from django.contrib.admin.models import CHANGE, LogEntry

    from forums.models import Thread

    thread = Thread.objects.get(title="Training plans")
    LogEntry.objects.log_actions(
        user_id=volunteer.pk, queryset=[thread], action_flag=CHANGE, change_message="[]"
    )
    Thread.objects.filter(pk=thread.pk).update(title="hepatitiscircle now", visibility="circle")
    client.force_login(volunteer)
    page = client.get("/admin/").content.decode()
    assert "Training plans" not in page and "hepatitiscircle" not in page
