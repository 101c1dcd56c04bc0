from django.core.management import call_command

from accounts.models import Member
from forums.models import Community, Post, Thread


def test_demo_data_shows_every_kind_and_loads_once(db, mailoutbox):
    call_command("demo_data", quiet_logins=True)
    counts = (Member.objects.count(), Community.objects.count(), Post.objects.count())
    call_command("demo_data", quiet_logins=True)
    assert (Member.objects.count(), Community.objects.count(), Post.objects.count()) == counts
    assert set(Community.objects.values_list("kind", flat=True)) == set(Community.Kind.values)
    assert set(Community.objects.values_list("read_access", flat=True)) == set(
        Community.ReadAccess.values
    )
    assert set(Thread.objects.values_list("kind", flat=True)) == set(Thread.Kind.values)
    assert set(Post.objects.values_list("visibility", flat=True)) == {"public", "circle", "private"}
    assert Thread.objects.filter(accepted_answer__isnull=False).exists()
    assert Thread.objects.filter(score__gt=0, kind="idea").exists()
    assert mailoutbox == []
    long_covid = Community.objects.get(slug="long-covid")
    assert (long_covid.read_access, long_covid.listed, long_covid.join_policy) == (
        "private",
        True,
        "request",
    )
    for community in Community.objects.all():
        community.full_clean()  # as the admin would save it
