from django import template
from django.urls import reverse
from django.utils.html import format_html

from accounts.avatars import generated_colour, initials

register = template.Library()


@register.simple_tag
def avatar(member, size=40):
    """A member's picture, or one drawn from their initials and random seed. Decorative:
    the display name always stands beside it."""
    if member.avatar:
        name = member.avatar.name.rsplit("/", 1)[-1]
        return format_html(
            '<img class="avatar" src="{}" width="{}" height="{}" alt="" loading="lazy">',
            reverse("accounts:avatar_file", kwargs={"name": name}),
            size,
            size,
        )
    return format_html(
        '<svg class="avatar" width="{size}" height="{size}" viewBox="0 0 40 40" aria-hidden="true"'
        ' focusable="false"><rect width="40" height="40" rx="20" fill="{colour}"/>'
        '<text x="20" y="25.5" text-anchor="middle" font-size="15" font-weight="600"'
        ' fill="#fff">{letters}</text></svg>',
        size=size,
        # An anonymous author's is one neutral grey (forums.querysets.AnonymousAuthor).
        colour=getattr(member, "avatar_colour", None) or generated_colour(member.avatar_seed),
        letters=initials(member.display_name),
    )
