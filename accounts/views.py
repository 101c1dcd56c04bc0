import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from accounts.forms import ProfileForm
from accounts.models import Member
from accounts.services import member_update_profile


def profile(request, handle):
    member = get_object_or_404(Member.objects.filter(is_active=True), handle=handle)
    return render(request, "accounts/member_detail.html", {"member": member})


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
                avatar=form.cleaned_data["avatar"],
                remove_avatar=form.cleaned_data["remove_avatar"],
            )
            messages.success(request, "Your profile is saved.")
            return redirect(member)
    else:
        form = ProfileForm(member=request.user)
    return render(request, "accounts/profile_form.html", {"form": form})


@require_GET
def avatar_file(request, name):
    """Avatars are served by the app, so members-only mode covers them too. Their names are
    random and never reused, so browsers may keep them."""
    path = f"avatars/{name}"
    if "/" in name or not default_storage.exists(path):
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(path), content_type=content_type)
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response


@require_GET
def health(request):
    return HttpResponse("ok", content_type="text/plain")
