import random
import time

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Case, TextField, Value, When

from accounts.models import CircleMembership, Member
from forums.markdown import render_markdown
from forums.models import Category, Community, Membership, Post, Thread

WORDS = """pace rest energy night shift handover sleep routine walk breath plan question answer
idea help share circle journal kit route mud trail shoes fatigue recovery team support lesson
tool checklist ward patient care coffee morning evening week month""".split()  # noqa: SIM905
VISIBILITIES = ["public"] * 7 + ["circle"] * 2 + ["private"]


def sentence(rng, words=18):
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


class Command(BaseCommand):
    help = "Generates a large data set for the benchmark (bench/README.md). Shows progress."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=2000)
        parser.add_argument("--threads", type=int, default=5000)
        parser.add_argument("--replies", type=int, default=10, help="replies per thread")
        parser.add_argument("--circle", type=int, default=50, help="circle size per member")
        parser.add_argument("--seed", type=int, default=1)

    def progress(self, label, done, total):
        if done == total or done % max(1, total // 10) == 0:
            self.stdout.write(f"  {label}: {done}/{total} ({done * 100 // total}%)")

    def handle(self, *args, members, threads, replies, circle, seed, **options):
        rng = random.Random(seed)  # noqa: S311 - repeatable test data, not secrets
        started = time.monotonic()
        with transaction.atomic():
            people = self.make_members(members)
            self.stdout.write("Circles…")
            CircleMembership.objects.bulk_create(
                [
                    CircleMembership(owner=owner, member=other)
                    for owner in people
                    for other in rng.sample(people, min(circle, len(people)))
                    if other.pk != owner.pk
                ],
                ignore_conflicts=True,
                batch_size=5000,
            )
            community = Community.objects.create(
                name=f"Bench {seed}",
                slug=f"bench-{Community.objects.count() + 1}",
                read_access="members",
            )
            category = Category.objects.create(community=community, name="General", slug="general")
            Membership.objects.bulk_create(
                [Membership(community=community, member=person) for person in people],
                batch_size=5000,
            )
            self.make_threads(rng, community, category, people, threads, replies)
        self.stdout.write(
            f"Done in {time.monotonic() - started:.0f} s: community /c/{community.slug}/"
        )

    def make_members(self, count):
        existing = Member.objects.count()
        people = []
        for number in range(count):
            name = f"Bench member {existing + number}"
            people.append(
                Member(
                    email=f"bench{existing + number}@example.org",
                    display_name=name,
                    display_name_key=name.lower().replace(" ", ""),
                    handle=f"bench-member-{existing + number}",
                )
            )
            self.progress("members", number + 1, count)
        return Member.objects.bulk_create(people, batch_size=2000)

    def make_threads(self, rng, community, category, people, count, replies):
        for number in range(count):
            author = rng.choice(people)
            visibility = rng.choice(VISIBILITIES)
            thread = Thread.objects.create(
                community=community,
                category=category,
                author=author,
                kind=rng.choice(["question", "discussion", "idea"]),
                title=sentence(rng, 7)[:-1],
                slug=f"bench-thread-{number}",
                visibility=visibility,
                score=rng.randrange(20),
            )
            posts = []
            for index in range(replies + 1):
                body = " ".join(sentence(rng) for _ in range(3))
                posts.append(
                    Post(
                        thread=thread,
                        author=author if index == 0 else rng.choice(people),
                        is_opening=index == 0,
                        body=body,
                        body_html=render_markdown(body).html,
                        visibility=visibility if index == 0 else rng.choice(VISIBILITIES),
                    )
                )
            Post.objects.bulk_create(posts)
            config = settings.HEARTH_SEARCH_CONFIG
            title = Case(
                When(is_opening=True, then=Value(thread.title)),
                default=Value(""),
                output_field=TextField(),
            )
            Post.objects.filter(thread=thread).update(
                search_vector=SearchVector(title, weight="A", config=config)
                + SearchVector("body", weight="B", config=config)
            )
            self.progress("threads", number + 1, count)
