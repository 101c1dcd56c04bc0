"""Who a thread or a reply really reaches, in the words members read. The reply and audience
forms offer these choices, every badge says these words, and the write door refuses a reply
audience that is not offered here, so that what a member is told is what happens.

Who may read what is decided in forums.querysets alone; this module words its rule: a reply
is seen by those who see its thread *and* fall within the reply's own visibility. So a reply
for "Community" in a circle thread reaches whoever can see the thread (and follows the
thread if its author later widens or narrows it), a "My circle" reply there reaches only
those of the replier's circle who can see the thread, and in an "Only me" thread nobody but
its author can read, or write, anything at all."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from forums.choices import VISIBILITY_HELP, Visibility
from forums.querysets import ANONYMOUS_AUTHOR


@dataclass(frozen=True)
class Audience:
    """One audience as a member reads it. `visibility` is the value stored for it; `reach`
    (a Visibility) is who it really reaches (a "Community" reply in a circle thread reaches
    a circle), `owner_id` whose circle, or who alone."""

    visibility: str
    reach: str
    owner_id: int | None
    label: str
    description: str

    def __str__(self):
        return f"{self.label} — {self.description}"


# How far a reply reaches within its thread, beside its kind of reach.
WHOLE_THREAD = "whole thread"  # everyone who can see the thread, and no one else
WITHIN_THREAD = "within thread"  # a circle, narrowed to those who can see the thread


def _reach(thread, *, author, visibility, is_reply):
    """(reach, owner, scope) of a post by `author` with this visibility in `thread`."""
    own, of_thread = Visibility(visibility), Visibility(thread.visibility)
    if not is_reply:
        return own, None if own == Visibility.PUBLIC else author, None
    match own, of_thread:
        case Visibility.PRIVATE, _:
            return Visibility.PRIVATE, author, None
        case _, Visibility.PRIVATE:
            return Visibility.PRIVATE, thread.author, WHOLE_THREAD
        case Visibility.PUBLIC, Visibility.PUBLIC:
            return Visibility.PUBLIC, None, None
        case Visibility.PUBLIC, Visibility.CIRCLE:
            return Visibility.CIRCLE, thread.author, WHOLE_THREAD
        case Visibility.CIRCLE, Visibility.PUBLIC:
            return Visibility.CIRCLE, author, None
    # A circle reply in a circle thread: its author's circle, within the thread's readers
    # (in its author's own circle thread, that circle is the thread's).
    if author.pk == thread.author_id:
        return Visibility.CIRCLE, author, None
    return Visibility.CIRCLE, author, WITHIN_THREAD


def _sentence(text):
    return text[:1].upper() + text[1:]


def _words(reach, owner, scope, *, viewer, author, owner_anonymous=False):
    """(label, description) of a reach, for this viewer: "My circle" for the circle's owner,
    "Lantern Moth's circle" for everyone else ("Anonymous member's circle" when the circle
    is an anonymous author's)."""
    mine = owner is not None and viewer is not None and owner.pk == viewer.pk
    name = owner.display_name if owner is not None else ""
    if owner_anonymous:
        name = ANONYMOUS_AUTHOR.display_name
    if reach == Visibility.PUBLIC:
        return Visibility.PUBLIC.label, VISIBILITY_HELP[Visibility.PUBLIC]
    if reach == Visibility.CIRCLE:
        label = Visibility.CIRCLE.label if mine else f"{name}’s circle"
        members = (
            "you and the members of your circle"
            if mine
            else f"{name} and the members of their circle"
        )
        if scope == WHOLE_THREAD:
            return label, f"Whoever can see this thread, now {members}"
        if scope == WITHIN_THREAD:
            return label, f"{_sentence(members)} who can see this thread"
        return label, _sentence(members)
    if not mine:
        return f"Only {name}", f"{name} alone"
    label = Visibility.PRIVATE.label if author.pk == owner.pk else "Only you"
    if scope == WHOLE_THREAD:
        return label, "Whoever can see this thread, now you alone"
    return label, VISIBILITY_HELP[Visibility.PRIVATE]


def _audience(thread, *, author, visibility, viewer, is_reply, anonymous=False):
    """`anonymous`: the post (or thread) worded for was posted anonymously. A circle owned by
    an anonymous author, the post's or its thread's, is named as theirs, never by name."""
    reach, owner, scope = _reach(thread, author=author, visibility=visibility, is_reply=is_reply)
    owner_anonymous = owner is not None and (
        (thread.is_anonymous and owner.pk == thread.author_id)
        or (anonymous and owner.pk == author.pk)
    )
    label, description = _words(
        reach, owner, scope, viewer=viewer, author=author, owner_anonymous=owner_anonymous
    )
    return Audience(
        visibility=Visibility(visibility).value,
        reach=reach.value,
        owner_id=owner.pk if owner is not None else None,
        label=label,
        description=description,
    )


def audience_of(item, *, thread=None, viewer):
    """Who a thread, or a post in `thread`, really reaches, worded for `viewer`: what its
    badge says."""
    if thread is None:  # a thread itself
        return _audience(
            item, author=item.author, visibility=item.visibility, viewer=viewer, is_reply=False
        )
    return _audience(
        thread,
        author=item.author,
        visibility=item.visibility,
        viewer=viewer,
        is_reply=not item.is_opening,
        anonymous=item.is_anonymous,
    )


def thread_audiences(member):
    """What a member may choose for a new thread (or its opening post): the community,
    their circle, or them alone."""
    return [
        Audience(
            visibility=value,
            reach=value,
            owner_id=None if value == Visibility.PUBLIC else member.pk,
            label=label,
            description=VISIBILITY_HELP[value],
        )
        for value, label in Visibility.choices
    ]


def reply_visibilities(member, thread):
    """The visibilities a member may give a reply in this thread, widest first, each a
    different audience: in a community thread, the community, their circle or them alone;
    in a circle thread, whoever can see it, those of their own circle who can, or them
    alone; in an "Only me" thread, its author alone, the only one who can reply there.
    The thread's author replies in their own circle or "Only me" thread for their circle or
    themselves, stored as such: should they widen the thread later, such replies stay as
    narrow as they were written."""
    is_thread_author = member.pk == thread.author_id
    match Visibility(thread.visibility):
        case Visibility.PUBLIC:
            return [Visibility.PUBLIC, Visibility.CIRCLE, Visibility.PRIVATE]
        case Visibility.CIRCLE if is_thread_author:
            return [Visibility.CIRCLE, Visibility.PRIVATE]
        case Visibility.CIRCLE:
            return [Visibility.PUBLIC, Visibility.CIRCLE, Visibility.PRIVATE]
    return [Visibility.PRIVATE] if is_thread_author else []


def reply_audiences(member, thread):
    """The audiences offered to a member replying in this thread, worded for them."""
    return [
        _audience(thread, author=member, visibility=value, viewer=member, is_reply=True)
        for value in reply_visibilities(member, thread)
    ]


def post_audiences(post, *, thread):
    """What the author of a post may change its audience to: a thread's choices for the
    opening post, the thread's reply choices for a reply."""
    if post.is_opening:
        return thread_audiences(post.author)
    return reply_audiences(post.author, thread)


_WIDTH = {Visibility.PRIVATE: 0, Visibility.CIRCLE: 1, Visibility.PUBLIC: 2}


def widens(before, after):
    """Whether going from one audience to the other reaches more kinds of reader: from the
    author alone to a circle, or from a circle to the community."""
    return _WIDTH[Visibility(after.reach)] > _WIDTH[Visibility(before.reach)]


def matching_choice(audiences, current):
    """The choice among `audiences` that stands for `current` (an Audience): the one with
    its visibility, or else one that reaches the same people (a "My circle" reply stored
    before, in its author's own circle thread, is "whoever can see this thread")."""
    for audience in audiences:
        if audience.visibility == current.visibility:
            return audience.visibility
    for audience in audiences:
        if (audience.reach, audience.owner_id) == (current.reach, current.owner_id):
            return audience.visibility
    return None


def default_reply_visibility(member, thread):
    """A reply starts with the member's own default audience where it is offered, and
    otherwise with the thread's whole audience, which is then no wider than their default
    (in their own circle thread, their circle is the thread's; in an "Only me" thread, the
    thread is theirs alone)."""
    offered = reply_visibilities(member, thread)
    if member.default_visibility in offered:
        return Visibility(member.default_visibility).value
    return offered[0].value if offered else None


def _listed(labels):
    quoted = [f"“{label}”" for label in labels]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def check_reply_visibility(member, thread, visibility):
    """Raises, on the form's `visibility` field, when a reply's audience is not one this
    thread offers the member (reply_visibilities)."""
    if visibility in reply_visibilities(member, thread):
        return
    offered = reply_audiences(member, thread)
    if not offered:
        raise ValidationError("Only its author can reply in an “Only me” thread.")
    raise ValidationError(
        {
            "visibility": (
                f"In this thread a reply can be for {_listed([a.label for a in offered])}: "
                "choose one of those."
            )
        }
    )
