from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from taggit.models import Tag

from community.redirects import redirect_back
from forums import digest, permissions, services
from forums.choices import VISIBILITY_HELP, Visibility
from forums.forms import (
    NotificationSettingsForm,
    PostEditForm,
    PostVisibilityForm,
    ReplyForm,
    ReportForm,
    SearchForm,
    ThreadForm,
    ThreadListForm,
)
from forums.models import (
    CategoryFollow,
    Community,
    Membership,
    Notification,
    Post,
    PostVote,
    Thread,
    ThreadFollow,
)
from forums.moderation import services as moderation
from forums.pagination import keyset_page
from forums.personal_data import PersonalDataFound
from forums.querysets import add_activity
from forums.search import search_posts, search_results

# The orders of the lists of threads, each key newest (or highest) first: `activity_at` is
# latest activity as the viewer sees it (ThreadQuerySet.activity_parts), and the pk, last,
# makes every place in a list unique, so that a page can start after any row (keyset).
PINNED = ("is_pinned", bool)
ACTIVITY = ("activity_at", datetime)
CREATED = ("created_at", datetime)
PK = ("pk", int)
LATEST = [ACTIVITY, PK]
SORT_KEYS = {
    "latest": [PINNED, ACTIVITY, PK],
    "newest": [PINNED, CREATED, PK],
    "top": [PINNED, ("score", int), ACTIVITY, PK],
    "unanswered": [PINNED, CREATED, PK],
}


def _membership(request, community):
    if not request.user.is_authenticated:
        return None
    return Membership.objects.filter(community=community, member=request.user).first()


def _page(request, queryset, per_page):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _thread_list(request, threads, keys, choices=None):
    """A page of visible threads in the order of `keys`, with this viewer's reply counts,
    last posts and "solved", in fixed queries. The page is chosen first, by walking the
    index of its order from the cursor on; what is worked out per viewer is then worked out
    for those rows alone, never for every thread the viewer may see. `choices` are the
    list's ThreadListForm choices, when the view has read them already."""
    viewer = request.user
    choices = choices or ThreadListForm(request.GET).choices()
    threads = threads.for_listing()
    parts = threads.activity_parts(viewer) if ACTIVITY in keys else [threads]
    page = keyset_page(
        parts,
        keys,
        per_page=settings.HEARTH_THREADS_PER_PAGE,
        older=choices["older"],
        newer=choices["newer"],
    )
    add_activity(viewer, page.items)
    last_ids = [thread.last_post_id for thread in page if thread.last_post_id]
    last_posts = (
        Post.objects.filter(pk__in=last_ids)
        .with_author()
        .defer("body", "body_html", "search_vector")
        .in_bulk()
    )
    for thread in page:
        thread.last_post = last_posts.get(thread.last_post_id)
    return page


def _readable_community(request, slug):
    return get_object_or_404(Community.objects.readable_by(request.user), slug=slug)


def _visible_thread(request, pk):
    return get_object_or_404(
        Thread.objects.visible_to(request.user).select_related("community", "category", "author"),
        pk=pk,
    )


def _thread_posts(request, thread):
    """The posts of a thread this viewer may see, with what the page shows of them."""
    return (
        Post.objects.visible_to(request.user)
        .filter(thread=thread)
        .with_author()
        .defer("body", "search_vector")
    )


def _visible_post(request, pk):
    return get_object_or_404(
        Post.objects.visible_to(request.user).select_related(
            "thread__community", "thread__category", "author"
        ),
        pk=pk,
    )


def _show_preview(form):
    """When the form was sent with its Preview button, renders its body as posting would,
    for the form to show. Returns whether it was a preview: then nothing is to be saved."""
    if not form.is_preview:
        return False
    if form.is_valid():
        form.preview_html = services.post_preview(body=form.cleaned_data["body"])
        form.preview_note = services.content_note_clean(form.cleaned_data.get("content_note"))
    return True


def home(request):
    communities = Community.objects.readable_or_listed(request.user).with_thread_counts(
        request.user
    )
    states = {}
    if request.user.is_authenticated:
        states = dict(
            Membership.objects.filter(member=request.user).values_list("community_id", "state")
        )
    recent = _thread_list(request, Thread.objects.visible_to(request.user), LATEST)
    invitations = Community.objects.none()
    if request.user.is_authenticated:
        # Only those the list below leaves out (unlisted private ones): a card there says
        # "Accept the invitation" itself.
        invitations = Community.objects.filter(
            memberships__member=request.user, memberships__state=Membership.State.INVITED
        ).exclude(pk__in=Community.objects.readable_or_listed(request.user).values("pk"))
    return render(
        request,
        "forums/home.html",
        {
            "communities": communities,
            "membership_states": states,
            "threads": recent,
            "invitations": invitations,
            "newcomer": Membership.State.ACTIVE not in states.values(),
            "audiences": [(choice, VISIBILITY_HELP[choice]) for choice in Visibility],
        },
    )


def community_detail(request, community):
    """A community's page for those who read it; for a signed-in member who does not, and
    finds it listed, its "about" page (who it is and how to join); 404 for everyone else."""
    community = get_object_or_404(
        Community.objects.readable_or_listed(request.user), slug=community
    )
    membership = _membership(request, community)
    if not community.readable:
        return render(
            request,
            "forums/community_about.html",
            {"community": community, "membership": membership},
        )
    threads = _thread_list(
        request,
        Thread.objects.visible_to(request.user).filter(community=community),
        SORT_KEYS["latest"],
    )
    return render(
        request,
        "forums/community_detail.html",
        {
            "community": community,
            "membership": membership,
            "categories": community.categories.all(),
            "threads": threads,
            "can_post": permissions.can_post(request.user, membership),
        },
    )


@login_required
def community_join(request, community):
    community = get_object_or_404(Community.objects.joinable_by(request.user), slug=community)
    if request.method != "POST":
        return redirect(community)
    try:
        membership = services.community_join(community=community, member=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(community)
    if membership.state == Membership.State.ACTIVE:
        messages.success(request, f"Welcome to {community.name}.")
    else:
        messages.info(request, "Your request is sent: you will hear when a moderator answers.")
    return redirect_back(request, community)


@login_required
def community_leave(request, community):
    community = _readable_community(request, community)
    if request.method == "POST":
        try:
            services.community_leave(community=community, member=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(community)
        messages.success(request, f"You left {community.name}.")
        return redirect("home")
    return render(request, "forums/community_leave.html", {"community": community})


def category_detail(request, community, category):
    community = _readable_community(request, community)
    category = get_object_or_404(community.categories, slug=category)
    choices = ThreadListForm(request.GET).choices()
    sort, tag = choices["sort"], choices["tag"]
    threads = Thread.objects.visible_to(request.user).filter(category=category)
    if sort == "unanswered":
        threads = threads.solved_for(request.user, solved=False)
    if tag:
        threads = threads.tagged(Tag.objects.filter(slug=tag).first())
    following = (
        request.user.is_authenticated
        and CategoryFollow.objects.filter(category=category, member=request.user).exists()
    )
    return render(
        request,
        "forums/category_detail.html",
        {
            "community": community,
            "category": category,
            "threads": _thread_list(request, threads, SORT_KEYS[sort], choices),
            "sorts": list(ThreadListForm.SORTS.items()),
            "sort": sort,
            "tag": tag,
            # Filters narrow the list; a sort only orders it.
            "filtered": bool(tag) or sort == "unanswered",
            "following": following,
            "can_post": permissions.can_post(request.user, _membership(request, community)),
        },
    )


@login_required
@require_POST
def category_follow(request, community, category):
    community = _readable_community(request, community)
    category = get_object_or_404(community.categories, slug=category)
    follow = request.POST.get("follow") == "1"
    services.category_follow(category=category, member=request.user, follow=follow)
    messages.success(
        request, "You will hear of new threads here." if follow else "You stopped following this."
    )
    return redirect(category)


@login_required
def thread_create(request, community):
    community = _readable_community(request, community)
    membership = _membership(request, community)
    # A POST goes on to the form, so that a member suspended mid-draft keeps their words.
    if request.method != "POST" and not permissions.can_post(request.user, membership):
        return render(
            request,
            "forums/thread_create_closed.html",
            {"community": community, "membership": membership},
            status=403,
        )
    form = ThreadForm(request.POST or None, community=community, member=request.user)
    if request.GET.get("category") and not request.POST:
        form.initial["category"] = community.categories.filter(slug=request.GET["category"]).first()
    if request.method == "POST" and not _show_preview(form) and form.is_valid():
        data = form.cleaned_data
        try:
            thread = services.thread_create(
                author=request.user,
                category=data["category"],
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                visibility=data["visibility"],
                tags=data["tags"],
                client_token=data["client_token"],
                personal_data_ok=data["personal_data_ok"],
                content_note=data["content_note"],
                anonymous=data.get("anonymous", False),
            )
        except PersonalDataFound as found:
            form.ask_about_personal_data(found)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # "posted" tells the browser's draft keeper (static/js/drafts.js) it went through.
            messages.success(request, "Posted.", extra_tags="posted")
            return redirect(thread)
    return render(request, "forums/thread_create.html", {"community": community, "form": form})


def thread_detail(request, pk, slug=None):
    thread = _visible_thread(request, pk)
    if slug != thread.slug:
        return redirect(thread, permanent=True)
    membership = _membership(request, thread.community)
    posts = _thread_posts(request, thread)
    page = _page(request, posts, settings.HEARTH_POSTS_PER_PAGE)
    reply_form = None
    if permissions.can_reply(request.user, thread, membership):
        reply_form = ReplyForm(thread=thread, member=request.user)
    return render(
        request,
        "forums/thread_detail.html",
        _thread_context(request, thread, membership, posts, page, reply_form),
    )


def _thread_context(request, thread, membership, posts, page, reply_form):
    """A thread page as the viewer sees it: its accepted answer, their votes on what the
    page shows, whether they follow it; the reply form given (empty, or as sent back)."""
    accepted = None
    if thread.accepted_answer_id:
        accepted = posts.live().filter(pk=thread.accepted_answer_id).first()
    voted = set()
    following = False
    if request.user.is_authenticated:
        on_page = [post.pk for post in page] + ([accepted.pk] if accepted else [])
        voted = set(
            PostVote.objects.filter(member=request.user, post__in=on_page).values_list(
                "post_id", flat=True
            )
        )
        following = ThreadFollow.objects.filter(thread=thread, member=request.user).exists()
    return {
        "thread": thread,
        "community": thread.community,
        "category": thread.category,
        "tags": list(thread.tags.all()),
        "posts": page,
        "accepted": accepted,
        "voted": voted,
        "following": following,
        "reply_form": reply_form,
        "membership": membership,
        "can_moderate": permissions.can_moderate(request.user, membership),
        "can_set_status": permissions.can_set_idea_status(request.user, thread, membership),
        "idea_statuses": Thread.IdeaStatus.choices,
    }


@login_required
@require_POST
def thread_reply(request, pk):
    thread = _visible_thread(request, pk)
    membership = _membership(request, thread.community)
    form = ReplyForm(request.POST, thread=thread, member=request.user)
    if not _show_preview(form) and form.is_valid():
        try:
            post = services.post_create(
                author=request.user,
                thread=thread,
                body=form.cleaned_data["body"],
                visibility=form.cleaned_data["visibility"],
                client_token=form.cleaned_data["client_token"],
                personal_data_ok=form.cleaned_data["personal_data_ok"],
                content_note=form.cleaned_data["content_note"],
                anonymous=form.cleaned_data.get("anonymous", False),
            )
        except PersonalDataFound as found:
            form.ask_about_personal_data(found)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Posted.", extra_tags="posted")
            return redirect(post)
    # Show the form again, with what was typed (and its preview), under the thread's last page.
    posts = _thread_posts(request, thread)
    paginator = Paginator(posts, settings.HEARTH_POSTS_PER_PAGE)
    page = paginator.page(paginator.num_pages)
    context = _thread_context(request, thread, membership, posts, page, form)
    status = 200 if form.preview_html is not None or form.personal_data_question else 400
    return render(request, "forums/thread_detail.html", context, status=status)


@login_required
@require_POST
def thread_accept(request, pk, post_pk):
    thread = _visible_thread(request, pk)
    post = get_object_or_404(Post.objects.visible_to(request.user), pk=post_pk, thread=thread)
    try:
        if request.POST.get("accept") == "0":
            services.thread_unaccept_answer(thread=thread, by=request.user)
        else:
            services.thread_accept_answer(thread=thread, post=post, by=request.user)
            messages.success(request, "Marked as the accepted answer.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(thread)


@login_required
@require_POST
def thread_idea_status(request, pk):
    thread = _visible_thread(request, pk)
    status = request.POST.get("status")
    if status not in Thread.IdeaStatus.values:
        messages.error(request, "Choose one of the listed statuses.")
        return redirect(thread)
    try:
        moderation.thread_set_idea_status(thread=thread, status=status, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(thread)


@login_required
@require_POST
def thread_follow(request, pk):
    thread = _visible_thread(request, pk)
    follow = request.POST.get("follow") == "1"
    services.thread_follow(thread=thread, member=request.user, follow=follow)
    messages.success(request, "Following this thread." if follow else "No longer following.")
    return redirect(thread)


def post_permalink(request, pk):
    """Sends a post's link to its place in its thread."""
    post = _visible_post(request, pk)
    before = (
        Post.objects.visible_to(request.user)
        .filter(thread=post.thread_id)
        .filter(Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, pk__lt=post.pk))
        .count()
    )
    page_number = before // settings.HEARTH_POSTS_PER_PAGE + 1
    url = post.thread.get_absolute_url()
    if page_number > 1:
        url += f"?page={page_number}"
    return redirect(f"{url}#post-{post.pk}")


@login_required
def post_edit(request, pk):
    post = _visible_post(request, pk)
    if not permissions.can_edit_post(request.user, post):
        raise PermissionDenied
    form = PostEditForm(request.POST or None, post=post)
    saved = None
    if request.method == "POST" and not _show_preview(form) and form.is_valid():
        try:
            services.post_edit(
                post=post,
                by=request.user,
                body=form.cleaned_data["body"],
                title=form.cleaned_data.get("title"),
                based_on=form.cleaned_data["version"],
                personal_data_ok=form.cleaned_data["personal_data_ok"],
                content_note=form.cleaned_data["content_note"],
            )
        except services.StaleEdit as conflict:
            # What they typed stays in the form, now based on the saved text beside it.
            saved = conflict.current
            form = PostEditForm({**request.POST.dict(), "version": saved.version}, post=saved)
            form.is_valid()
            form.add_error(None, conflict)
        except PersonalDataFound as found:
            form.ask_about_personal_data(found)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect(post)
    visibility_form = PostVisibilityForm(post=post, thread=post.thread)
    return _post_edit_page(request, post, form, visibility_form, saved=saved)


def _post_edit_page(request, post, form, visibility_form, *, saved=None, status=200):
    return render(
        request,
        "forums/post_edit.html",
        {"post": post, "form": form, "visibility_form": visibility_form, "saved": saved},
        status=status,
    )


@login_required
@require_POST
def post_visibility(request, pk):
    post = _visible_post(request, pk)
    if not permissions.can_edit_post(request.user, post):
        raise PermissionDenied
    form = PostVisibilityForm(request.POST, post=post, thread=post.thread)
    if form.is_valid():
        try:
            services.post_change_visibility(
                post=post,
                by=request.user,
                visibility=form.cleaned_data["visibility"],
                personal_data_ok=form.cleaned_data["personal_data_ok"],
            )
        except PersonalDataFound as found:
            form.ask_about_personal_data(found)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Who can see this post is changed.")
            return redirect(post)
    status = 200 if form.personal_data_question else 400
    return _post_edit_page(request, post, PostEditForm(post=post), form, status=status)


@login_required
def post_delete(request, pk):
    post = _visible_post(request, pk)
    if not permissions.can_edit_post(request.user, post):
        raise PermissionDenied
    if request.method == "POST":
        services.post_delete(post=post, by=request.user)
        messages.success(request, "Deleted.")
        post.thread.refresh_from_db(fields=["deleted_at"])
        if post.thread.deleted_at:
            return redirect(post.thread.category)
        return redirect(post.thread)
    return render(request, "forums/post_delete.html", {"post": post})


@login_required
@require_POST
def post_vote(request, pk):
    post = _visible_post(request, pk)
    try:
        services.post_vote(post=post, member=request.user, up=request.POST.get("up") != "0")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(post)


@login_required
def post_report(request, pk):
    """Reports a post to its community's moderators. A post you cannot see is a 404."""
    post = _visible_post(request, pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.report_create(
                post=post,
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Thank you. The moderators will look at it, and we will tell you when they have.",
            )
            return redirect(post)
    return render(request, "forums/post_report.html", {"post": post, "form": form})


def post_history(request, pk):
    post = _visible_post(request, pk)
    if post.is_deleted:
        raise Http404
    return render(
        request, "forums/post_history.html", {"post": post, "revisions": post.revisions.all()}
    )


def search(request):
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        found, capped = search_posts(request.user, **form.cleaned_data)
        results = _page(request, found, settings.HEARTH_THREADS_PER_PAGE)
        results.object_list = search_results(
            request.user, results.object_list, q=form.cleaned_data["q"]
        )
        results.capped = capped
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "forums/search.html",
        {
            "form": form,
            "results": results,
            "query_string": query.urlencode(),
            "filtered": form.is_bound and form.filtered(),
            "unfiltered_query": urlencode({"q": request.GET.get("q", "")}),
        },
    )


def tag_detail(request, tag):
    """A tag that no thread visible to the viewer carries is a 404, exactly like a tag that
    does not exist: its existence alone could tell of someone's journal. So is a page of it
    with nothing on it, whatever its cursor says."""
    tag = get_object_or_404(Tag, slug=tag)
    threads = Thread.objects.visible_to(request.user).tagged(tag)
    page = _thread_list(request, threads, LATEST)
    if not page:
        raise Http404
    return render(request, "forums/tag_detail.html", {"tag": tag, "threads": page})


@login_required
def notification_list(request):
    if request.method == "POST":
        services.notifications_mark_read(member=request.user)
        messages.success(request, "All caught up.")
        return redirect("forums:notifications")
    notifications = Notification.objects.visible_to(request.user).select_related(
        "actor", "thread__category"
    )
    page = _page(request, notifications, 30)
    for notification in page:
        notification.sentence = services.notification_sentence(notification)
        notification.details = services.notification_details(notification)
    return render(request, "forums/notification_list.html", {"notifications": page})


@login_required
def notification_open(request, pk):
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    services.notifications_mark_read(member=request.user, notification_ids=[notification.pk])
    if notification.post_id:
        return redirect("forums:post", pk=notification.post_id)
    if notification.thread_id:
        return redirect("forums:thread_short", pk=notification.thread_id)
    return redirect("forums:notifications")


@login_required
def notification_settings(request):
    form = NotificationSettingsForm(
        request.POST or None,
        initial={
            "email": request.user.email_notifications,
            "weekly_digest": request.user.weekly_digest,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.notification_settings_update(
            member=request.user,
            kinds=form.cleaned_data["email"],
            weekly_digest=form.cleaned_data["weekly_digest"],
        )
        messages.success(request, "Your e-mail choices are saved.")
        return redirect(reverse("forums:notification_settings"))
    return render(request, "forums/notification_settings.html", {"form": form})


# Exempt from CSRF on purpose: a mail client's one-click unsubscribe (RFC 8058) POSTs here
# with neither a session nor a CSRF token. That is safe because the only thing this view can
# do is turn one member's digest off, and only for whoever holds the unguessable signed token
# from that member's own e-mail: a forged request can achieve nothing its sender could not
# do with the link itself. A GET only asks, since mail scanners follow links.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def digest_unsubscribe(request, token):
    member = digest.member_for_unsubscribe_token(token)
    if member is None:
        raise Http404
    if request.method == "POST":
        digest.digest_unsubscribe(member=member)
    return render(
        request,
        "forums/digest_unsubscribe.html",
        {"unsubscribed": request.method == "POST"},
    )
