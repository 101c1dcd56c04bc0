import mimetypes
import re

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import export
from accounts.forms import AccountDeleteForm, MemberByNameForm, ProfileForm, ReadingSettingsForm
from accounts.models import Block, CircleMembership, Member
from accounts.services import (
    circle_add,
    circle_remove,
    member_block,
    member_delete,
    member_unblock,
    member_update_profile,
    member_update_reading,
)
from community.errors import DATABASE_UNREACHABLE, RETRY_AFTER_SECONDS
from community.redirects import redirect_back
from forums.models import Post
from forums.querysets import UNLISTED_MEMBER_FIELDS, named_authors_q


def profile(request, handle):
    """A member's profile, with the posts of theirs the viewer may see: never those they
    posted anonymously, unless the viewer is them (marked "you, anonymously")."""
    member = get_object_or_404(Member.objects.filter(is_active=True), handle=handle)
    posts = Post.objects.visible_to(request.user).live().filter(author=member)
    if request.user != member:
        posts = posts.filter(named_authors_q())
    posts = (
        posts
        # Whose circle a post's badge names: its author's, or its thread author's.
        .select_related("author", "thread__author")
        .defer(
            *(
                f"{whose}__{field}"
                for whose in ("author", "thread__author")
                for field in UNLISTED_MEMBER_FIELDS
            )
        )
        .order_by("-created_at", "-pk")
    )
    page = Paginator(posts, 20).get_page(request.GET.get("page"))
    in_circle = blocked = False
    if request.user.is_authenticated and request.user != member:
        in_circle = CircleMembership.objects.filter(owner=request.user, member=member).exists()
        blocked = Block.objects.filter(blocker=request.user, blocked=member).exists()
    return render(
        request,
        "accounts/member_detail.html",
        {"member": member, "posts": page, "in_circle": in_circle, "blocked": blocked},
    )


@login_required
def profile_edit(request):
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, member=request.user)
        if form.is_valid():
            member = member_update_profile(
                member=request.user,
                display_name=form.cleaned_data["display_name"],
                bio=form.cleaned_data["bio"],
                open_to_mentoring=form.cleaned_data["open_to_mentoring"],
                default_visibility=form.cleaned_data["default_visibility"] or None,
                avatar=form.cleaned_data["avatar"],
                remove_avatar=form.cleaned_data["remove_avatar"],
            )
            messages.success(request, "Your profile is saved.")
            return redirect(member)
    else:
        form = ProfileForm(member=request.user)
    return render(request, "accounts/profile_form.html", {"form": form})


@login_required
def reading_settings(request):
    form = ReadingSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"fold_content_notes": request.user.fold_content_notes},
    )
    if request.method == "POST" and form.is_valid():
        member_update_reading(
            member=request.user, fold_content_notes=form.cleaned_data["fold_content_notes"]
        )
        messages.success(request, "Your reading choices are saved.")
        return redirect("accounts:reading")
    return render(request, "accounts/reading_settings.html", {"form": form})


# accounts.avatars names every file it writes so: a random hex name and its format.
AVATAR_NAME = re.compile(r"[0-9a-f]{32}\.webp")

CIRCLE_ACTIONS = {
    "add": (circle_add, "{name} is in your circle now."),
    "remove": (circle_remove, "{name} is no longer in your circle."),
    "block": (member_block, "You blocked {name}. You will no longer see each other's posts."),
    "unblock": (member_unblock, "You unblocked {name}."),
}


@login_required
def circle_settings(request):
    """Your close circle and your blocks. Nobody else ever sees either list."""
    forms_by_action = {
        "add": MemberByNameForm(viewer=request.user, prefix="add"),
        "block": MemberByNameForm(viewer=request.user, prefix="block"),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in CIRCLE_ACTIONS:
            return redirect("accounts:circle")
        if "handle" in request.POST:  # a button on a profile or in a list
            other = Member.objects.filter(handle=request.POST["handle"], is_active=True).first()
        else:  # typed by display name
            form = MemberByNameForm(request.POST, viewer=request.user, prefix=action)
            forms_by_action[action] = form
            other = form.cleaned_data["name"] if form.is_valid() else None
        if other is not None:
            service, message = CIRCLE_ACTIONS[action]
            try:
                if action in ("add", "remove"):
                    service(owner=request.user, member=other)
                else:
                    service(blocker=request.user, blocked=other)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, message.format(name=other.display_name))
                return redirect_back(request, "accounts:circle")
    circle = Member.objects.filter(
        pk__in=CircleMembership.objects.filter(owner=request.user).values("member_id")
    )
    blocked = Member.objects.filter(
        pk__in=Block.objects.filter(blocker=request.user).values("blocked_id")
    )
    return render(
        request,
        "accounts/circle_settings.html",
        {
            "circle": circle,
            "blocked": blocked,
            "add_form": forms_by_action["add"],
            "block_form": forms_by_action["block"],
        },
    )


@login_required
def your_data(request):
    """Download your data; delete your account."""
    form = AccountDeleteForm(request.POST or None, member=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            member_delete(member=request.user, erase_posts=form.erase_posts)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            messages.success(
                request,
                "Your account is deleted. Thank you for being here.",
                extra_tags="account-deleted",
            )
            return redirect("home")
    return render(request, "accounts/your_data.html", {"form": form})


@login_required
@require_GET
def data_download(request):
    """Everything a member wrote and everything stored about them, as one JSON file built
    as it is sent (accounts.export)."""
    response = StreamingHttpResponse(
        export.archive_chunks(request.user), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{export.filename(request.user)}"'
    return response


@require_GET
def avatar_file(request, name):
    """Avatars are served by the app, so members-only mode covers them too. Their names are
    random and never reused, so browsers may keep them."""
    path = f"avatars/{name}"
    if not AVATAR_NAME.fullmatch(name) or not default_storage.exists(path):
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(path), content_type=content_type)
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response


@never_cache
@require_GET
def health(request):
    """For load balancers and monitors: 200 with {"status": "ok", "database": "ok"} when the
    default database answers `SELECT 1`, 503 with "database": "unreachable" when it does not.
    Open to visitors in members-only mode, never cached, and it reads no table."""
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DATABASE_UNREACHABLE:
        response = JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ok", "database": "ok"})
