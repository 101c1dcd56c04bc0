from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_back(request, fallback):
    """Redirects to the form's `next` when it points into this site, else to `fallback`."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def favicon(request):
    """Browsers ask for /favicon.ico whatever a page links to; it lives with the static
    files. Nothing of any member is in it, so it may be kept a day."""
    response = redirect(static("img/favicon.ico"), permanent=True)
    patch_cache_control(response, public=True, max_age=86400)
    return response
