"""The one door for writes. Views, the admin and management commands create, edit and delete
through these functions, each in a transaction, so they all follow the same rules."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, TextField, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from taggit.models import TaggedItem

from accounts.models import Member
from accounts.names import display_name_key
from community.background import defer
from forums import audiences, permissions, ratelimit
from forums.choices import NotificationKind, Visibility
from forums.markdown import render_markdown
from forums.models import (
    CategoryFollow,
    Community,
    Membership,
    Notification,
    Post,
    PostRevision,
    PostVote,
    Report,
    Thread,
    ThreadFollow,
)
from forums.personal_data import check_before_posting
from forums.querysets import ANONYMOUS_AUTHOR, forget_reader

# ---------------------------------------------------------------- communities and memberships


def _membership(community, member):
    return Membership.objects.filter(community=community, member=member).first()


def _verified_domains(member):
    from allauth.account.models import EmailAddress

    addresses = EmailAddress.objects.filter(user=member, verified=True).values_list(
        "email", flat=True
    )
    return {address.rsplit("@", 1)[-1].lower() for address in addresses}


@transaction.atomic
def community_create(*, community, by):
    """Opens a community (an unsaved Community, as the admin's form builds it) and makes its
    creator its owner, so that someone moderates it from the first minute."""
    community.full_clean()
    community.save()
    Membership.objects.create(
        community=community,
        member=by,
        role=Membership.Role.OWNER,
        state=Membership.State.ACTIVE,
    )
    return community


@transaction.atomic
def community_join(*, community, member):
    """Joins by the community's policy: at once when it is open (or the member has a verified
    address at one of its domains, or was invited), as a request a moderator approves when it
    is by request. Returns the membership."""
    Policy = Community.JoinPolicy
    membership = _membership(community, member)
    if membership and membership.state == Membership.State.BANNED:
        raise ValidationError("The moderators of this community have banned you from it.")
    if membership and membership.state == Membership.State.ACTIVE:
        return membership
    if membership and membership.state == Membership.State.INVITED:
        membership.state = Membership.State.ACTIVE
        membership.save(update_fields=["state"])
        forget_reader(member)
        return membership
    if community.join_policy == Policy.OPEN or (
        community.join_policy == Policy.DOMAIN
        and _verified_domains(member) & set(community.domains)
    ):
        state = Membership.State.ACTIVE
    elif community.join_policy == Policy.REQUEST:
        state = Membership.State.REQUESTED
    elif community.join_policy == Policy.DOMAIN:
        raise ValidationError(
            "Members join this community with a confirmed e-mail address at its "
            "organisation's domain: add one in your e-mail settings, then confirm it."
        )
    else:
        raise ValidationError("This community is open by invitation only.")
    membership, _ = Membership.objects.update_or_create(
        community=community, member=member, defaults={"state": state}
    )
    forget_reader(member)
    return membership


@transaction.atomic
def community_leave(*, community, member):
    membership = _membership(community, member)
    if membership is None:
        return
    if (
        membership.role == Membership.Role.OWNER
        and not community.memberships.active()
        .filter(role=Membership.Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError("You are this community's only owner: name another owner first.")
    membership.delete()
    forget_reader(member)


@transaction.atomic
def memberships_for_verified_email(*, member, email):
    """Joins a member to every community that admits verified addresses at that domain."""
    domain = email.rsplit("@", 1)[-1].lower()
    for community in Community.objects.filter(join_policy=Community.JoinPolicy.DOMAIN):
        if domain in community.domains:
            Membership.objects.get_or_create(community=community, member=member)
    forget_reader(member)


# ------------------------------------------------------------------------ threads and posts


class _Mentions:
    """Resolves `@Display Name` candidates to members with one query per post."""

    def __init__(self):
        self.members = {}

    def __call__(self, candidates):
        keys = {candidate: display_name_key(candidate) for candidate in candidates}
        found = {
            member.display_name_key: member
            for member in Member.objects.filter(
                display_name_key__in=set(keys.values()), is_active=True
            ).only("pk", "handle", "display_name_key", "email_notifications", "email")
        }
        urls = {}
        for candidate, key in keys.items():
            if key in found:
                self.members[candidate] = found[key]
                urls[candidate] = found[key].get_absolute_url()
        return urls


def _render(body):
    mentions = _Mentions()
    rendered = render_markdown(body, resolve_mentions=mentions)
    return rendered.html, [mentions.members[name] for name in rendered.mentions]


def post_preview(*, body):
    """The HTML a post with this body would show, made as posting makes it (sanitised, its
    mentions linked), with nothing written and nobody told."""
    return _render(body)[0]


def _index(post, title=""):
    config = settings.HEARTH_SEARCH_CONFIG
    vector = SearchVector(Value(title, output_field=TextField()), weight="A", config=config)
    vector += SearchVector("body", weight="B", config=config)
    vector += SearchVector("content_note", weight="B", config=config)
    Post.objects.filter(pk=post.pk).update(search_vector=vector)


def _check_can_post(member, membership):
    """Raises the reason a member may not post (or edit) in a community, if there is one."""
    if permissions.is_suspended(membership):
        until = timezone.localtime(membership.suspended_until)
        raise ValidationError(
            f"The moderators suspended you here until {until:%d %B %Y, %H:%M}. "
            "You can read, but not post, until then."
        )
    if not permissions.can_post(member, membership):
        raise ValidationError("Join this community to post in it.")


def _approved_posts(member, community, *, excluding=None):
    approved = Post.objects.filter(
        author=member, thread__community=community, is_pending=False, hidden_at__isnull=True
    )
    if excluding is not None:
        approved = approved.exclude(pk=excluding.pk)
    return approved.count()


def _screen(*, author, membership, community, html, mentioned, approved, for_everyone):
    """Applies the rules for new members to a post's rendered text, and tells whether it must
    wait for a moderator: a new member (fewer approved posts than HEARTH_NEW_MEMBER_POSTS)
    may share only a few links, and the first posts wait where the community pre-moderates.

    Only a post for the whole community (`for_everyone`) waits: a circle or only-me post is
    for the audience its author chose, and moderators read it only once it is reported."""
    if permissions.can_moderate(author, membership):
        return False
    links = html.count("<a href=") - len(mentioned)
    new_here = approved < max(settings.HEARTH_NEW_MEMBER_POSTS, community.premoderate_first_posts)
    if new_here and links > settings.HEARTH_NEW_MEMBER_MAX_LINKS:
        raise ValidationError(
            f"New members may share up to {settings.HEARTH_NEW_MEMBER_MAX_LINKS} links in a post "
            f"(this one has {links}). Take a few out, or post them once you have been here a "
            "little longer."
        )
    return _must_wait(author, membership, community, approved=approved, for_everyone=for_everyone)


def _must_wait(author, membership, community, *, approved, for_everyone):
    """A post for the whole community by someone with fewer approved posts than the
    community pre-moderates waits for a moderator (its moderators' own posts never do)."""
    if not for_everyone or permissions.can_moderate(author, membership):
        return False
    return approved < community.premoderate_first_posts


def _for_everyone(visibility, thread):
    """A post is for the whole community when it and its thread both are."""
    return visibility == Visibility.PUBLIC and thread.visibility == Visibility.PUBLIC


def content_note_clean(content_note):
    """A content note as it is stored: one line, its spaces tidied; empty for none."""
    return " ".join((content_note or "").split())


def _check_anonymity(community, anonymous):
    if anonymous and not community.allows_anonymous:
        raise ValidationError(
            "This community does not take anonymous posts. Untick “Post anonymously” to "
            "post under your display name."
        )


def _insert_post(
    *,
    thread,
    author,
    membership,
    body,
    visibility,
    is_opening,
    client_token,
    content_note="",
    anonymous=False,
):
    """Renders, screens and stores a post; counts it against the author's rate limit."""
    html, mentioned = _render(body)
    community = thread.community
    pending = _screen(
        author=author,
        membership=membership,
        community=community,
        html=html,
        mentioned=mentioned,
        approved=_approved_posts(author, community),
        for_everyone=_for_everyone(visibility, thread),
    )
    ratelimit.check("post", author)
    post = Post.objects.create(
        thread=thread,
        author=author,
        is_opening=is_opening,
        body=body,
        body_html=html,
        content_note=content_note_clean(content_note),
        visibility=visibility,
        client_token=client_token,
        is_pending=pending,
        is_anonymous=anonymous,
    )
    _index(post, title=thread.title if is_opening else "")
    return post, mentioned


def _already_posted(author, client_token):
    if client_token is None:
        return None
    return (
        Post.objects.filter(author=author, client_token=client_token)
        .select_related("thread")
        .first()
    )


def _submit_once(author, client_token, create):
    """Runs `create` (which returns a post) unless the same form was submitted before, in
    which case the first post is returned. The unique (author, client_token) constraint
    settles two submits that race."""
    if earlier := _already_posted(author, client_token):
        return earlier
    try:
        return create()
    except IntegrityError:
        if earlier := _already_posted(author, client_token):
            return earlier
        raise


def thread_create(
    *,
    author,
    category,
    kind,
    title,
    body,
    visibility,
    tags=(),
    client_token=None,
    personal_data_ok=False,
    content_note="",
    anonymous=False,
):
    """Starts a thread with its opening post, folded behind its `content_note` if it has
    one, anonymously where the community allows it (the thread is as anonymous as its
    opening post). Submitting the same form twice (same client_token) returns the first
    thread instead of making a second. Words that look like personal information, for
    anyone but the author, wait for `personal_data_ok` (PersonalDataFound)."""
    return _submit_once(
        author,
        client_token,
        lambda: _thread_create(
            author=author,
            category=category,
            kind=kind,
            title=title,
            body=body,
            visibility=visibility,
            tags=tags,
            client_token=client_token,
            personal_data_ok=personal_data_ok,
            content_note=content_note,
            anonymous=anonymous,
        ),
    ).thread


def _audience_chosen(offered, visibility):
    return next(audience for audience in offered if audience.visibility == visibility)


@transaction.atomic
def _thread_create(
    *,
    author,
    category,
    kind,
    title,
    body,
    visibility,
    tags,
    client_token,
    personal_data_ok,
    content_note="",
    anonymous=False,
):
    community = category.community
    membership = _membership(community, author)
    _check_can_post(author, membership)
    _check_anonymity(community, anonymous)
    check_before_posting(
        (title, body),
        audience=_audience_chosen(audiences.thread_audiences(author), visibility),
        author=author,
        community=community,
        confirmed=personal_data_ok,
    )
    thread = Thread.objects.create(
        is_anonymous=anonymous,
        community=community,
        category=category,
        author=author,
        kind=kind,
        title=title,
        slug=Thread.slug_for(title),
        visibility=visibility,
        idea_status=Thread.IdeaStatus.NEW if kind == Thread.Kind.IDEA else "",
    )
    # Its start is a new thread's only activity (see thread_rebump). The two fields take
    # their own clock readings on insert, microseconds apart: make them one.
    thread.bumped_at = thread.created_at
    thread.save(update_fields=["bumped_at"])
    post, mentioned = _insert_post(
        thread=thread,
        author=author,
        membership=membership,
        body=body,
        visibility=visibility,
        is_opening=True,
        client_token=client_token,
        content_note=content_note,
        anonymous=anonymous,
    )
    if post.is_pending:
        thread.is_pending = True
        thread.save(update_fields=["is_pending"])
    if tags:
        thread.tags.set(list(tags))
    ThreadFollow.objects.get_or_create(thread=thread, member=author)
    community_recount(community.pk)
    if not post.is_pending:
        announce_post(post, mentioned)
    return post


def announce_post(post, mentioned):
    """What a newly visible post sets going: a public reply moves its thread up the lists
    (only a reply the thread's whole audience can read does), at once; followers of the
    thread (or, for a new thread, of its category) and mentioned members are notified by a
    worker (forums.tasks.announce_post), once this write commits."""
    from forums import tasks

    if not post.is_opening and Post.objects.filter(pk=post.pk).bumping().exists():
        # Never backwards: a reply approved late may be older than the newest one.
        Thread.objects.filter(pk=post.thread_id, bumped_at__lt=post.created_at).update(
            bumped_at=post.created_at, bumped_by=post.author_id
        )
    defer(
        tasks.announce_post,
        post_id=post.pk,
        mentioned_ids=sorted(member.pk for member in mentioned),
    )


@transaction.atomic
def post_announce_to_followers(*, post_id, mentioned_ids):
    """The worker's half of announce_post: the followers and mentioned members who may see
    the post now are notified, each once however often this runs (Notification's
    notification_once_per_post)."""
    post = Post.objects.select_related("thread", "author").filter(pk=post_id).first()
    if post is None:  # purged, or gone with its author's account, before the worker came
        return
    thread = post.thread
    if post.is_opening:
        followers = CategoryFollow.objects.filter(category=thread.category_id)
        kind = NotificationKind.NEW_THREAD
    else:
        followers = ThreadFollow.objects.filter(thread=thread)
        kind = NotificationKind.REPLY
    mentioned = list(Member.objects.filter(pk__in=mentioned_ids))
    recipients = Member.objects.filter(pk__in=followers.values("member_id")).exclude(
        pk__in=mentioned_ids
    )
    anonymous = post.is_anonymous
    notify(
        kind=kind, recipients=recipients, actor=post.author, post=post, anonymous_actor=anonymous
    )
    notify(
        kind=NotificationKind.MENTION,
        recipients=mentioned,
        actor=post.author,
        post=post,
        anonymous_actor=anonymous,
    )


def thread_rebump(thread, *, recount=True):
    """Recomputes what the lists keep of a thread after it or one of its posts changed
    audience or state (posted, approved, deleted, hidden, restored, narrowed, widened): where
    it stands in "latest activity", where only replies its whole audience can read count
    (PostQuerySet.bumping), and its community's count of threads for everyone."""
    at, by = (
        Post.objects.filter(thread=thread)
        .bumping()
        .order_by("-created_at", "-pk")
        .values_list("created_at", "author_id")
        .first()
    ) or (thread.created_at, None)
    Thread.objects.filter(pk=thread.pk).update(bumped_at=at, bumped_by=by)
    if recount:
        community_recount(thread.community_id)


def community_recount(community_id):
    """Counts anew the threads of a community that everyone who reads it sees
    (Community.public_thread_count). The community's row is locked first, so that two
    writes at once never count past each other."""
    list(Community.objects.select_for_update().filter(pk=community_id).values_list("pk"))
    count = Thread.objects.filter(community=community_id).for_everyone().count()
    Community.objects.filter(pk=community_id).update(public_thread_count=count)


def mentions_in(post):
    return _render(post.body)[1]


def post_create(
    *,
    author,
    thread,
    body,
    visibility,
    client_token=None,
    personal_data_ok=False,
    content_note="",
    anonymous=False,
):
    """Replies in a thread, for one of the audiences the thread offers the author
    (forums.audiences.reply_visibilities; any other is refused on the form's `visibility`
    field), folded behind its `content_note` if it has one, anonymously where the community
    allows it. An anonymous thread's author always replies there anonymously: a named reply
    would sit beside their thread. A second submit of the same form returns the first
    reply. Words that look like personal information wait for `personal_data_ok`
    (PersonalDataFound)."""
    return _submit_once(
        author,
        client_token,
        lambda: _post_create(
            author=author,
            thread=thread,
            body=body,
            visibility=visibility,
            client_token=client_token,
            personal_data_ok=personal_data_ok,
            content_note=content_note,
            anonymous=anonymous,
        ),
    )


@transaction.atomic
def _post_create(
    *,
    author,
    thread,
    body,
    visibility,
    client_token,
    personal_data_ok,
    content_note="",
    anonymous=False,
):
    thread = Thread.objects.select_for_update().select_related("community").get(pk=thread.pk)
    if thread.deleted_at is not None:  # deleted while the reply was on its way
        raise ValidationError("This thread was deleted: it takes no new replies.")
    membership = _membership(thread.community_id, author)
    if thread.is_locked and not permissions.can_moderate(author, membership):
        raise ValidationError("This thread is locked: it takes no new replies.")
    _check_can_post(author, membership)
    audiences.check_reply_visibility(author, thread, visibility)
    _check_anonymity(thread.community, anonymous)
    check_before_posting(
        (body,),
        audience=_audience_chosen(audiences.reply_audiences(author, thread), visibility),
        author=author,
        community=thread.community,
        confirmed=personal_data_ok,
    )
    post, mentioned = _insert_post(
        thread=thread,
        author=author,
        membership=membership,
        body=body,
        visibility=visibility,
        is_opening=False,
        client_token=client_token,
        content_note=content_note,
        anonymous=anonymous or (thread.is_anonymous and thread.author_id == author.pk),
    )
    ThreadFollow.objects.get_or_create(thread=thread, member=author)
    if not post.is_pending:
        announce_post(post, mentioned)
    return post


class StaleEdit(ValidationError):
    """An edit that started from an older text than the one saved since (another tab,
    another device): saving it would silently undo the newer one. `current` is the post as
    saved now."""

    def __init__(self, current):
        super().__init__(
            "This post was changed since you began editing (perhaps in another tab). "
            "The saved text is shown first and yours is kept in the box: compare them, then "
            "save again to replace the saved text with yours."
        )
        self.current = current


@transaction.atomic
def post_edit(
    *, post, by, body, title=None, based_on=None, personal_data_ok=False, content_note=None
):
    """The author edits a post; the earlier text (and content note) is kept as a revision.
    `based_on` is the version (Post.version) the edit started from: when the post was saved
    since, the edit is refused with StaleEdit, and nothing is written. `content_note` is
    the post's new note ("" takes it away); None leaves it as it is. What looks like
    personal information and was not in the post before waits for `personal_data_ok`
    (PersonalDataFound)."""
    post = Post.objects.select_for_update().select_related("thread__community").get(pk=post.pk)
    if not permissions.can_edit_post(by, post):
        raise ValidationError("Only the author can edit this post.")
    if based_on and based_on != post.version:
        raise StaleEdit(post)
    thread = post.thread
    membership = _membership(thread.community_id, by)
    _check_can_post(by, membership)
    title_changed = post.is_opening and title is not None and title != thread.title
    check_before_posting(
        (title, body) if title_changed else (body,),
        audience=audiences.audience_of(post, thread=thread, viewer=by),
        author=by,
        community=thread.community,
        confirmed=personal_data_ok,
        before=(thread.title, post.body),
    )
    note = post.content_note if content_note is None else content_note_clean(content_note)
    if note != post.content_note and body == post.body:
        # The words the note folds stay as they were: nothing to render or screen anew.
        PostRevision.objects.create(
            post=post,
            body=post.body,
            content_note=post.content_note,
            created_at=post.edited_at or post.created_at,
        )
        post.content_note = note
        post.edited_at = timezone.now()
        post.save(update_fields=["content_note", "edited_at"])
    if body != post.body:
        html, mentioned = _render(body)
        # An edit meets the rules a new post meets; a new member's edit waits again.
        if _screen(
            author=by,
            membership=membership,
            community=thread.community,
            html=html,
            mentioned=mentioned,
            approved=_approved_posts(by, thread.community, excluding=post),
            for_everyone=_for_everyone(post.visibility, thread),
        ):
            post.is_pending = True
            if post.is_opening:
                Thread.objects.filter(pk=thread.pk).update(is_pending=True)
        PostRevision.objects.create(
            post=post,
            body=post.body,
            content_note=post.content_note,
            created_at=post.edited_at or post.created_at,
        )
        post.body = body
        post.body_html = html
        post.content_note = note
        post.edited_at = timezone.now()
        post.save(update_fields=["body", "body_html", "content_note", "edited_at", "is_pending"])
        if post.is_pending:
            # Waiting again, it moves nothing and counts for nobody until it is approved.
            thread_rebump(thread)
    if title_changed:
        thread.title = title
        thread.slug = Thread.slug_for(title)
        thread.save(update_fields=["title", "slug"])
    _index(post, title=thread.title if post.is_opening else "")
    return post


@transaction.atomic
def post_change_visibility(*, post, by, visibility, personal_data_ok=False):
    """The author widens or narrows a post's audience; narrowing takes effect at once. The
    opening post carries its thread with it; a reply takes one of the audiences its thread
    offers it (forums.audiences). An accepted answer no longer visible to the whole
    community stops being the accepted answer. Widened, a post meets the personal-data
    check as a new one would (PersonalDataFound)."""
    post = Post.objects.select_for_update().select_related("thread__community").get(pk=post.pk)
    if not permissions.can_edit_post(by, post):
        raise ValidationError("Only the author can change who sees this post.")
    thread = post.thread
    if not post.is_opening:
        audiences.check_reply_visibility(by, thread, visibility)
    before = audiences.audience_of(post, thread=thread, viewer=by)
    post.visibility = visibility
    if post.is_opening:
        thread.visibility = visibility
    after = audiences.audience_of(post, thread=thread, viewer=by)
    if audiences.widens(before, after):
        check_before_posting(
            (thread.title, post.body) if post.is_opening else (post.body,),
            audience=after,
            author=by,
            community=thread.community,
            confirmed=personal_data_ok,
        )
    # Widened to the whole community, a post meets pre-moderation as a new one would.
    if not post.is_pending and _must_wait(
        by,
        _membership(thread.community_id, by),
        thread.community,
        approved=_approved_posts(by, thread.community, excluding=post),
        for_everyone=_for_everyone(post.visibility, thread),
    ):
        post.is_pending = True
        if post.is_opening:
            thread.is_pending = True
    post.save(update_fields=["visibility", "is_pending"])
    if post.is_opening:
        thread.save(update_fields=["visibility", "is_pending"])
    if thread.accepted_answer_id == post.pk and visibility != Visibility.PUBLIC:
        thread.accepted_answer = None
        thread.save(update_fields=["accepted_answer"])
    thread_rebump(thread)
    return post


def _others_replied(thread, author):
    """Whether anyone but `author` has a reply in the thread that is not deleted: words the
    thread must keep when its author takes back their own."""
    return (
        Post.objects.filter(thread=thread, is_opening=False, deleted_at__isnull=True)
        .exclude(author=author)
        .exists()
    )


@transaction.atomic
def post_delete(*, post, by):
    """Soft delete by the author: the post shows as deleted. Deleting the opening post of a
    thread nobody else replied to deletes the thread; where others replied, the thread stays
    with a placeholder for its opening post, so that nobody loses their own replies. The
    retention job removes the text for good later."""
    post = Post.objects.select_for_update().select_related("thread").get(pk=post.pk)
    if not permissions.can_edit_post(by, post):
        raise ValidationError("Only the author can delete this post.")
    now = timezone.now()
    post.deleted_at = now
    post.save(update_fields=["deleted_at"])
    thread = Thread.objects.select_for_update().get(pk=post.thread_id)
    if post.is_opening and not _others_replied(thread, post.author_id):
        thread.deleted_at = now
        thread.save(update_fields=["deleted_at"])
    elif thread.accepted_answer_id == post.pk:
        thread.accepted_answer = None
        thread.save(update_fields=["accepted_answer"])
    thread_rebump(thread)
    return post


@transaction.atomic
def post_vote(*, post, member, up=True):
    """Casts (or withdraws) a member's single upvote. Returns whether the vote stands."""
    membership = _membership(post.thread.community_id, member)
    if not permissions.can_vote(member, post, membership):
        raise ValidationError("You can't vote on this post.")
    if up:
        _, created = PostVote.objects.get_or_create(post=post, member=member)
        delta = 1 if created else 0
    else:
        deleted, _ = PostVote.objects.filter(post=post, member=member).delete()
        delta = -deleted
    if delta:
        Post.objects.filter(pk=post.pk).update(votes=F("votes") + delta)
        if post.is_opening:
            Thread.objects.filter(pk=post.thread_id).update(score=F("score") + delta)
    return up


@transaction.atomic
def thread_accept_answer(*, thread, post, by):
    """Marks a reply as the question's accepted answer. It must be a live reply the whole
    community can see, so that "solved" never points at something hidden."""
    permissions.check_can_accept_post(by, thread, post, _membership(thread.community_id, by))
    thread.accepted_answer = post
    thread.save(update_fields=["accepted_answer"])
    notify(
        kind=NotificationKind.ACCEPTED,
        recipients=[post.author],
        actor=by,
        post=post,
        # An anonymous question's author accepts as the anonymous member they asked as.
        anonymous_actor=thread.is_anonymous and by.pk == thread.author_id,
    )
    return thread


@transaction.atomic
def thread_unaccept_answer(*, thread, by):
    membership = _membership(thread.community_id, by)
    if not permissions.can_accept_answer(by, thread, membership):
        raise ValidationError("Only the asker or a moderator can change the accepted answer.")
    thread.accepted_answer = None
    thread.save(update_fields=["accepted_answer"])
    return thread


@transaction.atomic
def thread_follow(*, thread, member, follow=True):
    if follow:
        ThreadFollow.objects.get_or_create(thread=thread, member=member)
    else:
        ThreadFollow.objects.filter(thread=thread, member=member).delete()


@transaction.atomic
def category_follow(*, category, member, follow=True):
    if follow:
        CategoryFollow.objects.get_or_create(category=category, member=member)
    else:
        CategoryFollow.objects.filter(category=category, member=member).delete()


ERASED_TITLE = "A thread whose author left"


def posts_erase(post_ids):
    """Removes these posts' words for good, keeping the rows as placeholders where others
    still need them (the opening post of a thread that stays for others' replies, a post a
    report points at): text, search entry and edit history go, and none is an accepted
    answer any more."""
    PostRevision.objects.filter(post__in=post_ids).delete()
    Post.objects.filter(pk__in=post_ids).update(
        body="",
        body_html="",
        content_note="",
        search_vector=None,
        deleted_at=Coalesce("deleted_at", Value(timezone.now())),
    )
    Thread.objects.filter(accepted_answer__in=post_ids).update(accepted_answer=None)


def purge_deleted(*, older_than, batch_size=500, progress=None):
    """The retention job: removes for good the threads and posts their authors deleted more
    than `older_than` ago, in batches (each its own transaction). The opening post of a
    thread that stayed for others' replies keeps its row as a placeholder, its text erased
    (posts_erase). Returns (threads, posts)."""
    cutoff = timezone.now() - older_than
    reported = Report.objects.filter(post=OuterRef("pk"))
    placeholders = Post.objects.filter(deleted_at__lt=cutoff).filter(
        Q(is_opening=True, thread__deleted_at__isnull=True) | Exists(reported)
    )
    # A thread deleted before others' replies kept threads (or by any other road) keeps
    # them: others' words are never purged with it.
    others_live = Post.objects.filter(thread=OuterRef("pk"), deleted_at__isnull=True).exclude(
        author=OuterRef("author")
    )
    kept = Thread.objects.filter(deleted_at__isnull=False).filter(Exists(others_live))
    counts = []
    for queryset in (
        Thread.objects.filter(deleted_at__lt=cutoff).exclude(Exists(others_live)),
        Post.objects.filter(deleted_at__lt=cutoff)
        .exclude(pk__in=placeholders.values("pk"))
        .exclude(thread__in=kept),
    ):
        total, removed = queryset.count(), 0
        while ids := list(queryset.values_list("pk", flat=True)[:batch_size]):
            with transaction.atomic():
                queryset.model.objects.filter(pk__in=ids).delete()
            removed += len(ids)
            if progress:
                progress(queryset.model._meta.verbose_name_plural, removed, total)
        counts.append(removed)
    erasing = placeholders.exclude(body="", body_html="", content_note="")
    erasing = erasing.values_list("pk", flat=True)
    while ids := list(erasing[:batch_size]):
        with transaction.atomic():
            posts_erase(ids)
    return tuple(counts)


def member_posts_release(*, member, former, erase):
    """What a departing member wrote, as they chose (accounts.services.member_delete). With
    `erase`, every post of theirs goes; otherwise their community posts stay, attributed to
    `former` ("Former member"), and what only their circle or only they could see goes
    either way, since that audience leaves with them. What others hold on to is never
    removed: a thread others wrote in stays, its opening post a placeholder when erased,
    and a post others reported stays as a placeholder for the report. Their votes go, and
    the counts, places in the lists and community counts they touched are made again."""
    # Their threads are locked first: a reply on its way waits, and is counted below.
    list(Thread.objects.select_for_update().filter(author=member).values_list("pk", flat=True))
    voted = list(PostVote.objects.filter(member=member).values_list("post_id", flat=True))
    touched = set(Post.objects.filter(author=member).values_list("thread_id", flat=True))
    touched |= set(Post.objects.filter(pk__in=voted).values_list("thread_id", flat=True))
    communities = set(Thread.objects.filter(pk__in=touched).values_list("community_id", flat=True))
    PostVote.objects.filter(member=member).delete()
    _recount_votes(voted)

    # A thread's audience leaves with its author unless the whole community reads it.
    own_audience = set(
        Thread.objects.filter(author=member)
        .exclude(visibility=Visibility.PUBLIC)
        .values_list("pk", flat=True)
    )

    def stays(post):
        """Kept under "Former member": a live community post, when they chose to keep."""
        public = post.visibility == Visibility.PUBLIC and post.thread_id not in own_audience
        return public and not erase and post.deleted_at is None

    others_wrote = Post.objects.filter(thread=OuterRef("pk")).exclude(author=member)
    others_reported = Report.objects.filter(post__thread=OuterRef("pk")).exclude(reporter=member)
    alone = (
        Thread.objects.filter(author=member)
        .exclude(Exists(others_wrote))
        .exclude(Exists(others_reported))
    )
    gone = alone if erase else alone.filter(pk__in=own_audience)
    gone_ids = set(gone.values_list("pk", flat=True))
    Thread.objects.filter(pk__in=gone_ids).delete()  # their own words alone, replies included
    touched -= gone_ids
    if erase:
        # What stays of their threads is for others' replies: not their words.
        erased = Thread.objects.filter(author=member)
        TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Thread),
            object_id__in=erased.values("pk"),
        ).delete()
        erased.update(title=ERASED_TITLE, slug=Thread.slug_for(ERASED_TITLE))
    Thread.objects.filter(author=member).update(author=former)

    reported = Report.objects.filter(post=OuterRef("pk")).exclude(reporter=member)
    removed, placeholders = [], []
    posts = Post.objects.filter(author=member).only(
        "pk", "thread_id", "visibility", "is_opening", "deleted_at"
    )
    for post in posts.annotate(reported=Exists(reported)).iterator():
        if stays(post):
            continue
        (placeholders if post.is_opening or post.reported else removed).append(post)
    Post.objects.filter(pk__in=[post.pk for post in removed]).delete()
    posts_erase([post.pk for post in placeholders])
    Post.objects.filter(author=member).update(author=former, client_token=None)
    Thread.objects.filter(bumped_by=member).update(bumped_by=former)
    Notification.objects.filter(actor=member).update(actor=former)
    for thread in Thread.objects.filter(pk__in=touched).only("pk", "created_at"):
        thread_rebump(thread, recount=False)
    for community_id in sorted(communities):
        community_recount(community_id)


def _recount_votes(post_ids):
    """Counts anew the votes on these posts, and the scores of threads they open."""
    votes = (
        PostVote.objects.filter(post=OuterRef("pk"))
        .order_by()
        .values("post")
        .annotate(total=Count("pk"))
        .values("total")
    )
    Post.objects.filter(pk__in=post_ids).update(votes=Coalesce(Subquery(votes), 0))
    opening = Post.objects.filter(thread=OuterRef("pk"), is_opening=True).values("votes")[:1]
    Thread.objects.filter(posts__pk__in=post_ids, posts__is_opening=True).update(
        score=Subquery(opening)
    )


# ---------------------------------------------------------------------------- notifications

# What each kind of notification says: on the site, naming the thread it is about; in an
# e-mail, which leaves the site and may be read long after, without its title.
NOTIFICATION_SENTENCES = {
    NotificationKind.REPLY: "{actor} replied in “{title}”.",
    NotificationKind.NEW_THREAD: "{actor} started “{title}” in {category}.",
    NotificationKind.MENTION: "{actor} mentioned you in “{title}”.",
    NotificationKind.ACCEPTED: "{actor} accepted your answer in “{title}”.",
    NotificationKind.MODERATION: "The moderators have a message for you.",
}
EMAIL_SENTENCES = {
    **NOTIFICATION_SENTENCES,
    NotificationKind.REPLY: "{actor} replied in a thread you follow.",
    NotificationKind.NEW_THREAD: "{actor} started a thread in a category you follow.",
    NotificationKind.MENTION: "{actor} mentioned you.",
    NotificationKind.ACCEPTED: "{actor} accepted your answer.",
}
# How the moderators' message telling an author where their idea stands begins
# (moderation.services.thread_set_idea_status); the site names the idea in it.
IDEA_STATUS_PREFIX = "Your idea is now "


# Notifications of these kinds name a post, and a member hears of each post once per kind.
ONCE_PER_POST = (
    NotificationKind.REPLY,
    NotificationKind.NEW_THREAD,
    NotificationKind.MENTION,
    NotificationKind.ACCEPTED,
)
# Notification e-mails sent by one worker job.
EMAILS_PER_JOB = 100


def notify(*, kind, recipients, actor, post=None, thread=None, message="", anonymous_actor=False):
    """Notifies the recipients who may see the post or thread now (never the actor). An
    `anonymous_actor` (one who acted as the anonymous author of a post or thread) is kept out
    of the row: the notification says "Anonymous member", and no row, page, e-mail or admin
    list names them. Those
    who asked for it also get an e-mail, sent by a worker once the transaction commits
    (forums.tasks.send_notification_emails), that says who did what and links to it, with
    none of the post's text. A post's notification of a kind reaches a member once, however
    often this runs for it (a retried job)."""
    from forums import tasks

    seen = set()
    chosen = []
    for recipient in recipients:
        if recipient.pk in seen or (actor and recipient.pk == actor.pk) or not recipient.is_active:
            continue
        seen.add(recipient.pk)
        if post is not None and not Post.objects.visible_to(recipient).filter(pk=post.pk).exists():
            continue
        if (
            thread is not None
            and not Thread.objects.visible_to(recipient).filter(pk=thread.pk).exists()
        ):
            continue
        chosen.append(recipient)
    thread = thread or (post.thread if post is not None else None)
    once = post is not None and kind in ONCE_PER_POST
    notifications = Notification.objects.bulk_create(
        (
            Notification(
                recipient=recipient,
                kind=kind,
                actor=None if anonymous_actor else actor,
                thread=thread,
                post=post,
                message=message,
            )
            for recipient in chosen
        ),
        ignore_conflicts=once,
    )
    wanted = [recipient.pk for recipient in chosen if kind in recipient.email_notifications]
    if once:  # rows already there from an earlier run have no pk here: ask for them
        by_email = Notification.objects.filter(
            post=post, kind=kind, recipient__in=wanted, emailed_at__isnull=True
        ).values_list("pk", flat=True)
    else:
        by_email = [n.pk for n in notifications if n.recipient_id in wanted]
    by_email = sorted(by_email)
    for start in range(0, len(by_email), EMAILS_PER_JOB):
        defer(
            tasks.send_notification_emails,
            notification_ids=by_email[start : start + EMAILS_PER_JOB],
        )
    return notifications


def notification_sentence(notification, *, for_email=False):
    """What a notification says. On the site it names the thread it is about, read through
    the read door like the notification itself (NotificationQuerySet.visible_to shows one
    only while its post or thread is the recipient's to see); an e-mail names no thread. A
    moderators' message about a thread alone (where an idea stands) is its own sentence."""
    thread = notification.thread
    if notification.kind == NotificationKind.MODERATION:
        if thread is None or notification.post_id or not notification.message:
            return NOTIFICATION_SENTENCES[NotificationKind.MODERATION]
        before, _, status = notification.message.partition(IDEA_STATUS_PREFIX)
        if for_email or before or not status:
            return notification.message
        return f"Your idea “{thread.title}” is now {status}"
    sentences = EMAIL_SENTENCES if for_email else NOTIFICATION_SENTENCES
    # A member's notification names no actor only where they acted anonymously (notify).
    actor = notification.actor or ANONYMOUS_AUTHOR
    return sentences[notification.kind].format(
        actor=actor.display_name,
        title=thread.title,
        category=thread.category.name,
    )


def notification_details(notification):
    """The moderators' words shown under a notification's sentence, unless they are it."""
    if notification.message and notification.thread_id and not notification.post_id:
        return ""
    return notification.message


def notification_emails_send(notification_ids):
    """The worker's e-mails: each notification still due (not e-mailed yet, its recipient
    still wanting e-mail of its kind, and what it names still theirs to see, checked through
    the read door now) is sent, and marked sent in the same transaction, one at a time: a
    job retried after a failure sends only what was not sent. Skips rows another worker
    holds."""
    base = settings.HEARTH_BASE_URL.rstrip("/")
    connection = get_connection()
    with connection:
        for pk in notification_ids:
            with transaction.atomic():
                notification = (
                    Notification.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("recipient", "actor", "thread__category")
                    .filter(pk=pk, emailed_at__isnull=True)
                    .first()
                )
                if notification is None:
                    continue
                recipient = notification.recipient
                due = (
                    recipient.is_active
                    and notification.kind in recipient.email_notifications
                    and Notification.objects.visible_to(recipient).filter(pk=pk).exists()
                )
                if due:
                    connection.send_messages([_notification_email(notification, base)])
                Notification.objects.filter(pk=pk).update(emailed_at=timezone.now())


def _notification_email(notification, base):
    if notification.post_id:
        link = base + reverse("forums:post", kwargs={"pk": notification.post_id})
    elif notification.thread_id:
        link = base + reverse("forums:thread_short", kwargs={"pk": notification.thread_id})
    else:
        link = base + reverse("forums:notifications")
    sentence = notification_sentence(notification, for_email=True)
    body = render_to_string(
        "forums/email/notification.txt",
        {
            "sentence": sentence,
            "message": notification_details(notification),
            "link": link,
            "settings_link": base + reverse("forums:notification_settings"),
        },
    )
    # A subject is one line, whatever a title holds.
    subject = " ".join(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{sentence}".split())
    return EmailMessage(subject, body, to=[notification.recipient.email])


@transaction.atomic
def notifications_mark_read(*, member, notification_ids=None):
    unread = Notification.objects.filter(recipient=member, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def notification_settings_update(*, member, kinds, weekly_digest):
    member.email_notifications = list(kinds)
    member.weekly_digest = weekly_digest
    member.save(update_fields=["email_notifications", "weekly_digest"])
    return member
