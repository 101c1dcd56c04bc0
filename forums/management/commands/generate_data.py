"""Builds the benchmark forum (bench/README.md): by default 10,000 members, 20 communities and
100,000 threads with about 1,000,000 posts, the same rows for the same --seed.

The rows are what the write door (forums.services, accounts.services) would have stored, made
in bulk: COPY into the tables (posts through a temporary staging table, so that the search
vector is computed by PostgreSQL in the statement that inserts them), with the secondary
indexes and foreign keys set aside during the load and put back, under their own names,
afterwards. What a thread derives from its posts (score, bumped_at, bumped_by) is written with
the thread; what a community derives from its threads, by `refresh_derived`.

Times are fixed offsets before BASE, not the clock, so that two runs give the same rows.
"""

import bisect
import itertools
import queue
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.text import slugify

from accounts.models import default_email_notifications
from accounts.names import display_name_key
from forums.markdown import render_markdown
from forums.models import Community, Thread

# "Now" for the generated forum: every timestamp lies before it, over the two years up to it.
BASE = datetime(2026, 11, 1, tzinfo=UTC)
SPAN_SECONDS = 730 * 86400
START = BASE - timedelta(seconds=SPAN_SECONDS)

BENCH_PASSWORD = "bench-password"  # noqa: S105 - the published login of the bench viewers
VIEWER_EMAIL = "viewer@bench.example"
BLOCKER_EMAIL = "blocker@bench.example"

# The tables this command fills, emptied by --flush with the rest of the apps' tables.
LOADED_TABLES = [
    "accounts_member",
    "account_emailaddress",
    "accounts_circlemembership",
    "accounts_block",
    "forums_community",
    "forums_category",
    "forums_membership",
    "forums_thread",
    "forums_post",
    "forums_postvote",
    "forums_threadfollow",
    "forums_notification",
    "taggit_tag",
    "taggit_taggeditem",
]
FLUSHED_PREFIXES = ("accounts_", "forums_", "taggit_", "account_", "mfa_", "socialaccount_")

# The words of today's data set come first: "handover routine", "sleep" and "routine" stay
# common enough for the search benchmark to find many posts.
CORE_WORDS = """pace rest energy night shift handover sleep routine walk breath plan question answer
idea help share circle journal kit route mud trail shoes fatigue recovery team support lesson
tool checklist ward patient care coffee morning evening week month""".split()  # noqa: SIM905
FUNCTION_WORDS = """the and to a of i my it in is for that was with on this we have but not
you at so be after before when our about all can just what""".split()  # noqa: SIM905
CONTENT_WORDS = """nurse doctor clinic rota schedule break lunch dinner meal snack water tea
alarm bed pillow blanket nap dream wake tired rested calm stress worry anxiety hope progress
goal habit practice notes diary log record chart form report review meeting call message email
colleague manager mentor friend family partner child parent neighbour dog cat garden park river
hill mountain forest beach road bridge station train bus bike car parking commute travel trip
holiday weekend monday tuesday friday sunday summer winter spring autumn rain snow wind sun
light dark cold warm heat noise quiet music book podcast radio screen phone app laptop printer
software update bug release feature request ticket issue fix patch version login password
account profile setting option button page menu search filter list table export import backup
server network cable battery charger kettle fridge oven kitchen bathroom bedroom desk chair
window door stairs lift floor office building hospital school library shop market bakery cafe
bread soup salad fruit apple banana orange rice pasta cheese egg milk sugar salt pepper spice
recipe cooking baking cleaning laundry shopping budget money cost price saving loan bill rent
mortgage insurance tax salary contract interview training course exam study lecture workshop
conference project deadline milestone task priority backlog sprint retro demo launch customer
client user member volunteer group forum thread post reply vote tag draft edit comment feedback
advice tip trick guide example story experience mistake problem solution reason cause effect
result change choice decision habit skill strength weakness pain injury knee back shoulder
stretch exercise run swim yoga gym weights posture balance muscle joint heart lung blood
pressure diet protein vitamin medicine dose appointment referral therapy counselling recovery
relapse milestone anniversary birthday celebration gift card letter photo album memory
stories friendship kindness patience courage honesty trust respect boundary listening
learning teaching reading writing drawing painting knitting sewing woodwork repair bicycle
compass map tent stove lantern rope boots jacket gloves hat scarf socks rucksack bottle
torch whistle ridge valley summit lake stream meadow orchard hedge moss fern oak birch pine
willow heron owl fox badger hare robin wren otter deer moth beetle bee""".split()  # noqa: SIM905
NAME_ADJECTIVES = """Amber Quiet Lantern Silver Gentle Bright Misty Golden Hidden Steady Wild
Little Tall Swift Patient Sunny Rainy Northern Southern Eastern Western Velvet Copper Cedar
Maple Hazel Ivory Coral Scarlet Indigo Olive Rusty Frosty Dusky Early Late Brave Calm Kind
Merry Humble Honest Clever Curious Distant Wandering Sleepy Restless Shy Bold""".split()  # noqa: SIM905
NAME_NOUNS = """Moth Fox Heron Owl Badger Hare Robin Wren Otter Deer Beetle Bee Willow Birch
Pine Oak Fern Moss Meadow Brook River Harbour Lantern Ember Pebble Cloud Comet Meteor Thistle
Clover Poppy Daisy Aster Juniper Rowan Sparrow Finch Swallow Kestrel Falcon Raven Magpie
Badger Salmon Trout Pike Seal Puffin Walrus""".split()  # noqa: SIM905

COMMUNITY_NAMES = [
    "Night Shift Nurses", "Running Together", "Hearth Help Desk", "Long Covid Circle",
    "Product Ideas", "Board Game Makers", "Ward Team Room", "New Parents", "Grief and Loss",
    "Data Practitioners", "Trail Volunteers", "Home Bakers", "Printer Support", "Sleep Clinic",
    "Roadmap Requests", "Carers Together", "Teachers Lounge", "Open Source Mentors",
    "Recovery Stories", "Allotment Growers",
]  # fmt: skip
CATEGORY_NAMES = ["Questions", "Lessons", "Introductions", "Off topic", "Tools", "News", "Events"]
HIDDEN_REASONS = [
    "Off-topic for this community.",
    "Shares someone's personal details.",
    "Advertising.",
    "Unkind to another member.",
]
VISIBILITIES = ["public", "circle", "private"]
VISIBILITY_WEIGHTS = [70, 90, 100]  # cumulative: 70 % public, 20 % circle, 10 % private
KINDS = ["question", "discussion", "idea"]
# Cumulative weights of question / discussion / idea threads, by community kind.
KIND_WEIGHTS = {
    "support": [75, 95, 100],
    "ideas": [10, 30, 100],
    "practice": [40, 90, 100],
    "peer_support": [25, 95, 100],
    "interest": [30, 90, 100],
    "internal": [35, 85, 100],
}
IDEA_STATUSES = [status.value for status in Thread.IdeaStatus]


def zipf_cumulative(count, exponent=1.0):
    """Cumulative weights for ranks 1..count, the rank-th weighing 1/rank**exponent."""
    return list(itertools.accumulate(1 / rank**exponent for rank in range(1, count + 1)))


def build_vocabulary(size=2000):
    """About 2,000 distinct words, most common first: function words and today's words at the
    top, then real words, then made-up ones (stable: they do not depend on --seed)."""
    words = dict.fromkeys(
        word for pair in itertools.zip_longest(FUNCTION_WORDS, CORE_WORDS) for word in pair if word
    )
    words.update(dict.fromkeys(CONTENT_WORDS))
    syllables = "ka lo mi ne ru ta vi so de pa len mor tis var bel dun fen gar hol"
    syllables = syllables.split()
    made_up = random.Random("hearth-vocabulary")  # noqa: S311 - repeatable text, not secrets
    while len(words) < size:
        word = "".join(made_up.choice(syllables) for _ in range(made_up.randint(2, 3)))
        words.setdefault(word)
    return list(words)[:size]


class Progress:
    """One phase's progress bar: redrawn in place on a terminal, a line every 10 % otherwise."""

    def __init__(self, out, label, total):
        self.out, self.label, self.total = out, label, max(total, 1)
        self.done = 0
        self.started = self.drawn = time.monotonic()
        self.tty = out.isatty()
        self.next_tenth = 1
        if self.tty:
            self.draw()

    def advance(self, count=1):
        self.done += count
        now = time.monotonic()
        if self.tty:
            if now - self.drawn >= 0.2:
                self.draw()
        elif self.done * 10 >= self.next_tenth * self.total and self.done < self.total:
            self.next_tenth = self.done * 10 // self.total + 1
            self.draw()

    def finish(self):
        self.done = max(self.done, self.total)
        self.draw(final=True)
        return time.monotonic() - self.started

    def draw(self, final=False):
        self.drawn = now = time.monotonic()
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        percent = min(100.0, self.done * 100 / self.total)
        if final:
            tail = f"done in {elapsed:.1f} s"
        else:
            left = (self.total - self.done) / rate if rate else 0
            tail = f"ETA {int(left) // 60}:{int(left) % 60:02d}"
        filled = int(percent / 5)
        line = (
            f"{self.label:<16} [{'#' * filled}{'.' * (20 - filled)}] "
            f"{self.done:>9,}/{self.total:,} {percent:5.1f}% "
            f"{rate:>9,.0f}/s {tail}"
        )
        if self.tty:
            self.out.write("\r" + line + ("\n" if final else ""), style_func=str, ending="")
            self.out.flush()
        else:
            self.out.write(line, style_func=str)


class Writer:
    """Titles and Markdown bodies. The bodies are made of paragraphs rendered once: blocks
    separated by a blank line render to the concatenation of their renderings, as long as no
    two lists meet (they would merge into one), so a list only ever ends a body."""

    def __init__(self, rng, *, paragraphs):
        self.rng = rng
        self.vocabulary = build_vocabulary()
        self.cumulative = zipf_cumulative(len(self.vocabulary))
        plain = [self.paragraph() for _ in range(paragraphs)]
        lists = [self.list_block() for _ in range(max(10, paragraphs // 10))]
        self.plain = [(md, render_markdown(md).html) for md in plain]
        self.lists = [(md, render_markdown(md).html) for md in lists]

    def words(self, count):
        return self.rng.choices(self.vocabulary, cum_weights=self.cumulative, k=count)

    def sentence(self, low=6, high=16):
        words = self.words(self.rng.randint(low, high))
        roll = self.rng.random()
        if roll < 0.08:
            words[1] = f"*{words[1]}*"
        elif roll < 0.12:
            words[-1] = f"**{words[-1]}**"
        elif roll < 0.15:
            words[2] = f"`{words[2]}`"
        elif roll < 0.18:
            words[0] = f"[{words[0]} {words[1]}](https://example.org/guides/{words[2]})"
            del words[1]
        elif roll < 0.20:
            words.append(f"https://example.org/{words[0]}")
        text = " ".join(words)
        return text[0].upper() + text[1:] + self.rng.choice(".....?!")

    def paragraph(self):
        roll = self.rng.random()
        if roll < 0.04:
            return "## " + self.title(2, 5)
        text = " ".join(self.sentence() for _ in range(self.rng.randint(1, 4)))
        return "> " + text if roll < 0.10 else text

    def list_block(self):
        items = [self.sentence(3, 8) for _ in range(self.rng.randint(2, 5))]
        if self.rng.random() < 0.5:
            return "\n".join(f"- {item}" for item in items)
        return "\n".join(f"{number}. {item}" for number, item in enumerate(items, 1))

    def title(self, low=3, high=9):
        text = " ".join(self.words(self.rng.randint(low, high)))
        return text[0].upper() + text[1:]

    def body(self):
        """Markdown and its HTML, of one to four blocks."""
        rng = self.rng
        count = rng.choices((1, 2, 3, 4), cum_weights=(40, 70, 90, 100))[0]
        blocks = [self.plain[int(rng.random() * len(self.plain))] for _ in range(count)]
        if count > 1 and rng.random() < 0.1:
            blocks[-1] = self.lists[int(rng.random() * len(self.lists))]
        if count == 1:
            return blocks[0]
        return "\n\n".join(md for md, _ in blocks), "".join(html for _, html in blocks)


@dataclass
class Plan:
    """What the forum phase needs from the earlier phases."""

    members: int
    viewer: int
    blocker: int
    threads: int
    replies: float
    communities: list = field(default_factory=list)  # (id, kind, read_access)
    categories: dict = field(default_factory=dict)  # community id -> [category ids]
    active: dict = field(default_factory=dict)  # community id -> [member ids]
    active_sets: dict = field(default_factory=dict)
    circles: dict = field(default_factory=dict)  # owner id -> [member ids]
    tag_ids: list = field(default_factory=list)
    thread_content_type: int = 0


@dataclass
class Batch:
    threads: list = field(default_factory=list)
    posts: list = field(default_factory=list)
    votes: list = field(default_factory=list)
    follows: list = field(default_factory=list)
    tags: list = field(default_factory=list)


def at(seconds):
    return START + timedelta(seconds=seconds)


class ForumMaker:
    """Threads with their posts, votes, follows and tags, in batches, from one Random."""

    def __init__(self, plan, writer, rng):
        self.plan, self.writer, self.rng = plan, writer, rng
        self.post_id = self.vote_id = self.follow_id = self.tagged_id = 0
        self.reply_number = 0
        self.posts = 0
        # Candidates for the bench viewers' notifications (recipient -> [(kind, post, ...)]).
        self.notifications = {plan.viewer: [], plan.blocker: []}
        # Shares of the reply counts: a few long threads, many short, most around the core.
        long_share, short_share = 0.02, 0.25
        self.core_replies = max(
            0.0,
            (plan.replies - long_share * 75 - short_share * 2.5) / (1 - long_share - short_share),
        )
        self.community_cumulative = zipf_cumulative(len(plan.communities), 0.6)
        self.tag_cumulative = zipf_cumulative(len(plan.tag_ids), 1.1)
        self.long_done = set()

    def batches(self, size):
        batch = Batch()
        for number in range(self.plan.threads):
            self.thread(number, batch)
            if len(batch.threads) >= size:
                yield batch
                batch = Batch()
        if batch.threads:
            yield batch

    def reply_count(self):
        roll = self.rng.random()
        if roll < 0.02:
            return self.rng.randint(30, 120)
        if roll < 0.27:
            return self.rng.randint(0, 5)
        return max(0, round(self.rng.gauss(self.core_replies, 2.5)))

    def thread(self, number, batch):  # noqa: C901, PLR0912, PLR0915 - one thread, step by step
        plan, rng, writer = self.plan, self.rng, self.writer
        community_index = bisect.bisect(
            self.community_cumulative, rng.random() * self.community_cumulative[-1]
        )
        community_id, community_kind, _ = plan.communities[community_index]
        active = plan.active[community_id]
        categories = plan.categories[community_id]
        category_id = categories[0] if rng.random() < 0.4 else rng.choice(categories)
        kind = KINDS[bisect.bisect(KIND_WEIGHTS[community_kind], rng.random() * 100)]
        visibility = VISIBILITIES[bisect.bisect(VISIBILITY_WEIGHTS, rng.random() * 100)]
        author = active[int(rng.random() * len(active))]
        # Every community gets one long public thread early: a page of 30 visible posts.
        is_long = community_id not in self.long_done
        if is_long:
            self.long_done.add(community_id)
            visibility, replies = "public", 120
        else:
            replies = self.reply_count()
            slot = number % 997
            if slot < 6:  # the bench viewers write threads of every visibility
                author = plan.viewer if slot < 3 else plan.blocker
                visibility = VISIBILITIES[slot % 3]
        created = (number + rng.random()) * (SPAN_SECONDS - 3 * 86400) / plan.threads
        title = writer.title()
        if kind == "question":
            title += "?"
        thread_id = number + 1
        deleted_at = hidden_at = None
        is_pending = is_pinned = is_locked = False
        roll = 1.0 if is_long else rng.random()
        if roll < 0.005:
            deleted_at = at(created + rng.uniform(3600, 30 * 86400))
        elif roll < 0.008:
            hidden_at = at(created + rng.uniform(600, 86400))
        elif roll < 0.010:
            is_pending, replies = True, 0
        elif roll < 0.015 and visibility == "public":
            is_pinned = True
        elif roll < 0.025:
            is_locked = True

        # Replies come after the opening post, in gaps of a pace the thread keeps.
        pace = rng.choice((600, 3600, 4 * 3600, 86400))
        offsets = list(itertools.accumulate(rng.expovariate(1 / pace) + 1 for _ in range(replies)))
        room = SPAN_SECONDS - created - 60
        if offsets and offsets[-1] > room:
            offsets = [offset * room / offsets[-1] for offset in offsets]

        body, html = writer.body()
        self.post_id += 1
        opening_id = self.post_id
        opening_votes = 0
        if not is_pending:
            opening_votes = self.votes(
                batch, opening_id, author, author, visibility, visibility, community_id,
                created, True,
            )  # fmt: skip
        batch.posts.append(
            (
                opening_id, thread_id, author, True, title, body, html, visibility,
                opening_votes, at(created), deleted_at,
                hidden_at, HIDDEN_REASONS[number % 4] if hidden_at else "", is_pending,
            )
        )  # fmt: skip
        followers = {author: None}
        acceptable = []
        # The newest reply the whole audience reads (replies come in time order).
        bumped_at, bumped_by = created, None
        for offset in offsets:
            self.reply_number += 1
            slot = self.reply_number % 997
            if slot < 6:
                replier = plan.viewer if slot < 3 else plan.blocker
                reply_visibility = VISIBILITIES[slot % 3]
            else:
                replier = active[int(rng.random() * len(active))]
                reply_visibility = VISIBILITIES[
                    bisect.bisect(VISIBILITY_WEIGHTS, rng.random() * 100)
                ]
            reply_created = created + offset
            body, html = writer.body()
            self.post_id += 1
            reply_deleted = reply_hidden = None
            reply_pending = False
            roll = rng.random()
            if roll < 0.01:
                reply_hidden = at(reply_created + rng.uniform(600, 86400))
            elif roll < 0.015:
                reply_pending = True
            elif roll < 0.025:
                reply_deleted = at(reply_created + rng.uniform(600, 7 * 86400))
            votes = 0
            if not reply_pending:
                votes = self.votes(
                    batch, self.post_id, replier, author, reply_visibility, visibility,
                    community_id, reply_created, False,
                )  # fmt: skip
            batch.posts.append(
                (
                    self.post_id, thread_id, replier, False, "", body, html, reply_visibility,
                    votes, at(reply_created), reply_deleted, reply_hidden,
                    HIDDEN_REASONS[self.post_id % 4] if reply_hidden else "", reply_pending,
                )
            )  # fmt: skip
            followers.setdefault(replier)
            live_public = reply_visibility == "public" and not (
                reply_deleted or reply_hidden or reply_pending
            )
            if live_public:
                bumped_at, bumped_by = reply_created, replier
                acceptable.append(self.post_id)
                if author in self.notifications and replier != author and visibility == "public":
                    self.notifications[author].append(
                        ("reply", replier, thread_id, self.post_id, reply_created)
                    )
        self.posts += 1 + len(offsets)

        accepted = None
        if kind == "question" and acceptable and rng.random() < 0.45:
            accepted = rng.choice(acceptable)
        idea_status = ""
        if kind == "idea":
            idea_status = rng.choices(IDEA_STATUSES, cum_weights=(40, 65, 80, 92, 100))[0]
        batch.threads.append(
            (
                thread_id, kind, title, Thread.slug_for(title), visibility, is_pinned, is_locked,
                idea_status, opening_votes, at(created), at(bumped_at), deleted_at, hidden_at,
                accepted, author, category_id, community_id, is_pending, bumped_by,
            )
        )  # fmt: skip
        for member in followers:
            self.follow_id += 1
            batch.follows.append((self.follow_id, member, thread_id))
        tag_count = rng.choices((0, 1, 2, 3), cum_weights=(30, 65, 90, 100))[0]
        chosen = {}
        while len(chosen) < tag_count:
            rank = bisect.bisect(self.tag_cumulative, rng.random() * self.tag_cumulative[-1])
            chosen.setdefault(plan.tag_ids[rank])
        for tag_id in chosen:
            self.tagged_id += 1
            batch.tags.append((self.tagged_id, thread_id, plan.thread_content_type, tag_id))

    def votes(self, batch, post_id, author, thread_author, visibility, thread_visibility,
              community_id, created, opening):  # fmt: skip
        """Votes from members who can read the post: its community's, or the circle of the
        author (a circle post) or of the thread's author (a reply in a circle thread)."""
        if visibility == "private" or thread_visibility == "private":
            return 0
        rng = self.rng
        wanted = int(rng.paretovariate(1.3 if opening else 2.0)) - 1
        if wanted <= 0:
            return 0
        plan = self.plan
        if visibility == "circle":
            pool = plan.circles.get(author, ())
        elif thread_visibility == "circle":
            pool = plan.circles.get(thread_author, ())
        else:
            pool = plan.active[community_id]
        wanted = min(wanted, 200, len(pool))
        if not wanted:
            return 0
        readers = plan.active_sets[community_id]
        voters = [
            voter for voter in rng.sample(pool, wanted) if voter != author and voter in readers
        ]
        room = SPAN_SECONDS - created
        for voter in voters:
            self.vote_id += 1
            batch.votes.append((self.vote_id, at(created + rng.random() * room), voter, post_id))
        return len(voters)


class Command(BaseCommand):
    help = (
        "Generates the benchmark forum (bench/README.md): members, circles, communities, "
        "threads, about --threads × (1 + --replies) posts, votes and tags, the same for the "
        "same --seed. Shows its progress. Expects a migrated database without members or "
        "forum content (or --flush, which empties it first)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=10_000)
        parser.add_argument("--threads", type=int, default=100_000)
        parser.add_argument(
            "--replies", type=float, default=9, help="average number of replies per thread"
        )
        parser.add_argument("--communities", type=int, default=20)
        parser.add_argument("--circle", type=int, default=300, help="largest circle size")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--flush",
            action="store_true",
            help="first empty the accounts, forums, taggit and allauth tables (all of it)",
        )
        parser.add_argument("--batch", type=int, default=1000, help="threads per COPY batch")

    def handle(self, *args, **options):
        if options["members"] < 10 or options["threads"] < 1 or options["communities"] < 1:
            raise CommandError("Ask for at least 10 members, 1 thread and 1 community.")
        self.options = options
        self.seed = options["seed"]
        self.timings = {}
        started = time.monotonic()
        connection.ensure_connection()
        with transaction.atomic():
            self.cursor = connection.connection.cursor()
            self.cursor.execute("SET LOCAL synchronous_commit = off")
            # The posts' staging table; only takes effect before a session's first use of one.
            self.cursor.execute("SET LOCAL temp_buffers = '64MB'")
            self.cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            self.cursor.execute("SET LOCAL work_mem = '64MB'")
            self.empty_database(options["flush"])
            set_aside = self.set_aside_indexes_and_keys()
            plan = self.make_people()
            self.make_communities(plan)
            self.make_forum(plan)
            self.timed("notifications", lambda: self.make_notifications(plan))
            self.timed("refresh_derived", self.refresh_derived)
            self.restore_indexes_and_keys(set_aside)
            self.reset_sequences()
        self.analyze()
        total = time.monotonic() - started
        self.stdout.write("Phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.timings.items()))
        self.stdout.write(
            f"Done in {total:.0f} s: {plan.members + 2:,} members, {self.posts:,} posts in "
            f"{plan.threads:,} threads. Bench logins (password “{BENCH_PASSWORD}”): "
            f"{VIEWER_EMAIL} (Bench Viewer), {BLOCKER_EMAIL} (Bench Blocker)."
        )

    # Phases -------------------------------------------------------------------------------

    def empty_database(self, flush):
        tables = connection.introspection.table_names(self.cursor)
        if flush:
            flushed = [name for name in sorted(tables) if name.startswith(FLUSHED_PREFIXES)]
            self.cursor.execute(
                f"TRUNCATE {', '.join(flushed)} RESTART IDENTITY CASCADE"  # noqa: S608
            )
            return
        for table in LOADED_TABLES:
            self.cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608
            if self.cursor.fetchone()[0]:
                raise CommandError(
                    f"The database already holds data ({table} is not empty). generate_data "
                    "expects a freshly migrated database; run it with --flush to empty the "
                    "accounts, forums, taggit and allauth tables first."
                )

    def set_aside_indexes_and_keys(self):
        """Drops the loaded tables' foreign keys, unique constraints (but those a foreign key
        relies on) and other indexes but the primary keys, and returns the statements that
        put them back under their names, as the migrations made them. Building an index once
        is much faster than keeping it up to date through a million inserts."""
        self.cursor.execute(
            """
            SELECT format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', c.conrelid::regclass::text,
                          c.conname, pg_get_constraintdef(c.oid)),
                   format('ALTER TABLE %%I DROP CONSTRAINT %%I', c.conrelid::regclass::text,
                          c.conname)
            FROM pg_constraint c
            WHERE c.conrelid::regclass::text = ANY(%s)
              AND (c.contype = 'f' OR c.contype = 'u' AND NOT EXISTS (
                SELECT 1 FROM pg_constraint k WHERE k.contype = 'f' AND k.conindid = c.conindid
              ))
            -- unique constraints back first, so foreign keys find them; keys last
            ORDER BY c.contype DESC, c.conrelid::regclass::text, c.conname
            """,
            [LOADED_TABLES],
        )
        keys = self.cursor.fetchall()
        self.cursor.execute(
            """
            SELECT i.indexdef, format('DROP INDEX %%I.%%I', i.schemaname, i.indexname)
            FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND NOT EXISTS (
                SELECT 1 FROM pg_constraint c
                WHERE c.conindid = format('%%I.%%I', i.schemaname, i.indexname)::regclass
                  AND c.contype IN ('p', 'u', 'x')
                  AND c.conrelid = format('%%I.%%I', i.schemaname, i.tablename)::regclass
              )
            ORDER BY i.tablename, i.indexname
            """,
            [LOADED_TABLES],
        )
        indexes = self.cursor.fetchall()
        # Foreign keys go first: they rely on the unique constraints.
        for _, drop in sorted(keys, key=lambda key: " FOREIGN KEY " not in key[0]) + indexes:
            self.cursor.execute(drop)
        return {"indexes": [create for create, _ in indexes], "keys": [add for add, _ in keys]}

    def restore_indexes_and_keys(self, set_aside):
        # Checks of the few rows inserted with their foreign keys in place run now, before
        # the tables are altered.
        self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        progress = Progress(self.stderr, "indexes", len(set_aside["indexes"]))
        for statement in set_aside["indexes"]:
            self.cursor.execute(statement)
            progress.advance()
        self.timings["indexes"] = progress.finish()
        progress = Progress(self.stderr, "constraints", len(set_aside["keys"]))
        for statement in set_aside["keys"]:
            self.cursor.execute(statement)
            progress.advance()
        self.timings["constraints"] = progress.finish()

    def make_people(self):
        options = self.options
        rng = random.Random(f"{self.seed}:members")  # noqa: S311 - repeatable, not secrets
        count = options["members"]
        plan = Plan(
            members=count,
            viewer=count + 1,
            blocker=count + 2,
            threads=options["threads"],
            replies=options["replies"],
        )
        progress = Progress(self.stderr, "members", count + 2)
        password = make_password(BENCH_PASSWORD, salt=f"bench{self.seed}salt{count}")
        notifications = "{" + ",".join(default_email_notifications()) + "}"
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        pairs = [
            (adjective, noun)
            for adjective in dict.fromkeys(NAME_ADJECTIVES)
            for noun in dict.fromkeys(NAME_NOUNS)
            if adjective != noun
        ]
        rng.shuffle(pairs)
        keys = set()
        columns = (
            "id, password, is_superuser, email, display_name, display_name_key, handle, bio, "
            "avatar, avatar_seed, open_to_mentoring, is_staff, is_active, date_joined, "
            "default_visibility, email_notifications"
        )
        with self.cursor.copy(f"COPY accounts_member ({columns}) FROM STDIN") as copy:
            for member_id in range(1, count + 3):
                if member_id == plan.viewer:
                    name, email, secret = "Bench Viewer", VIEWER_EMAIL, password
                elif member_id == plan.blocker:
                    name, email, secret = "Bench Blocker", BLOCKER_EMAIL, password
                else:
                    adjective, noun = pairs[(member_id - 1) % len(pairs)]
                    round_ = (member_id - 1) // len(pairs)
                    name = f"{adjective} {noun}" + (f" {round_ + 1}" if round_ else "")
                    email = f"bench{member_id}@example.org"
                    # What make_password(None) stores, drawn from the seed instead.
                    secret = UNUSABLE_PASSWORD_PREFIX + "".join(rng.choices(alphabet, k=40))
                key = display_name_key(name)
                while key in keys:  # names that read alike: keep them apart
                    name = f"{name} {member_id}"
                    key = display_name_key(name)
                keys.add(key)
                copy.write_row(
                    (
                        member_id, secret, False, email, name, key, slugify(name),
                        "" if rng.random() < 0.7 else " ".join(rng.choices(CONTENT_WORDS, k=12)),
                        "", f"{rng.getrandbits(64):016x}", rng.random() < 0.05, False, True,
                        START - timedelta(seconds=rng.randint(0, 365 * 86400)), "public",
                        notifications,
                    )
                )  # fmt: skip
                progress.advance()
        with self.cursor.copy(
            'COPY account_emailaddress (id, email, verified, "primary", user_id) FROM STDIN'
        ) as copy:
            copy.write_row((1, VIEWER_EMAIL, True, True, plan.viewer))
            copy.write_row((2, BLOCKER_EMAIL, True, True, plan.blocker))
        self.timings["members"] = progress.finish()
        self.make_circles_and_blocks(plan, rng)
        return plan

    def make_circles_and_blocks(self, plan, rng):
        """Circles of 0 to --circle members; the viewers in many circles; a few blocks, whose
        two members are in neither's circle (accounts.services.member_block)."""
        count = plan.members
        regular = range(1, count + 1)
        progress = Progress(self.stderr, "circles", count + 2)
        circles = {}
        largest = min(self.options["circle"], count - 1)
        for owner in regular:
            chosen = rng.sample(regular, rng.randint(0, largest) + 1)
            circles[owner] = [member for member in chosen if member != owner][: len(chosen) - 1]
        for viewer, wanted in ((plan.viewer, 150), (plan.blocker, 120)):
            for owner in rng.sample(regular, min(wanted, count)):
                circles[owner].append(viewer)
            circles[viewer] = rng.sample(regular, min(60, count))
        blocks = {}
        for blocker in rng.sample(regular, max(1, count // 50)):
            for blocked in rng.sample(regular, rng.randint(1, 3)):
                if blocked != blocker:
                    blocks.setdefault((blocker, blocked))
        # The bench blocker blocks five members and is blocked by two others.
        targets = rng.sample(regular, 7)
        for blocked in targets[:5]:
            blocks.setdefault((plan.blocker, blocked))
        for blocker in targets[5:]:
            blocks.setdefault((blocker, plan.blocker))
        for one, other in blocks:
            for owner, member in ((one, other), (other, one)):
                if member in circles.get(owner, ()):
                    circles[owner].remove(member)
        plan.circles = circles
        row_id = 0
        with self.cursor.copy(
            "COPY accounts_circlemembership (id, created_at, member_id, owner_id) FROM STDIN"
        ) as copy:
            for owner, members in circles.items():
                for member in members:
                    row_id += 1
                    copy.write_row((row_id, at(rng.random() * SPAN_SECONDS), member, owner))
                progress.advance()
        with self.cursor.copy(
            "COPY accounts_block (id, created_at, blocked_id, blocker_id) FROM STDIN"
        ) as copy:
            for row_id, (blocker, blocked) in enumerate(blocks, 1):
                copy.write_row((row_id, at(rng.random() * SPAN_SECONDS), blocked, blocker))
        self.timings["circles"] = progress.finish()

    def make_communities(self, plan):
        """Every kind and every read access; most members in the open communities, a share
        in the private ones; a few bans, requests and invitations."""
        rng = random.Random(f"{self.seed}:communities")  # noqa: S311 - repeatable, not secrets
        kinds = Community.Kind.values
        accesses = Community.ReadAccess.values
        policies = Community.JoinPolicy.values
        total = self.options["communities"]
        progress = Progress(self.stderr, "communities", total)
        category_id = membership_id = 0
        community_rows, category_rows = [], []
        regular = range(1, plan.members + 1)
        with self.cursor.copy(
            "COPY forums_membership (id, role, state, created_at, community_id, member_id) "
            "FROM STDIN"
        ) as copy:
            for index in range(total):
                community_id = index + 1
                kind = kinds[index % len(kinds)]
                access = accesses[(index + index // len(kinds)) % len(accesses)]
                policy = policies[(index * 5 // 3) % len(policies)]
                base = COMMUNITY_NAMES[index % len(COMMUNITY_NAMES)]
                name = base if index < len(COMMUNITY_NAMES) else f"{base} {index + 1}"
                created = START - timedelta(days=rng.randint(30, 400))
                community_rows.append(
                    (
                        community_id, name, f"bench-{slugify(name)}",
                        f"A {Community.Kind(kind).label.lower()} community for the benchmark.",
                        kind, access, policy, "example.org" if policy == "domain" else "",
                        created, 0,
                        # Listed where members could not join it otherwise (Community.clean).
                        access == "private" and policy in ("open", "request"),
                    )
                )  # fmt: skip
                plan.communities.append((community_id, kind, access))
                names = ["General", *rng.sample(CATEGORY_NAMES, rng.randint(2, 4))]
                plan.categories[community_id] = []
                for position, category in enumerate(names):
                    category_id += 1
                    category_rows.append(
                        (category_id, category, slugify(category), "", position, community_id)
                    )
                    plan.categories[community_id].append(category_id)
                share = rng.uniform(0.15, 0.35) if access == "private" else rng.uniform(0.8, 0.9)
                states = {}
                for member in regular:
                    roll = rng.random()
                    if roll < share:
                        states[member] = "active"
                    elif roll < share + 0.003:
                        states[member] = "banned"
                    elif roll < share + 0.008 and policy == "request":
                        states[member] = "requested"
                    elif roll < share + 0.011 and policy in ("invitation", "request"):
                        states[member] = "invited"
                active = [member for member, state in states.items() if state == "active"]
                staff = rng.sample(active, min(4, len(active)))
                roles = dict.fromkeys(staff[1:], "moderator") | dict.fromkeys(staff[:1], "owner")
                for member, state in states.items():
                    membership_id += 1
                    joined = created + timedelta(seconds=rng.randint(0, 30 * 86400))
                    role = roles.get(member, "member")
                    copy.write_row((membership_id, role, state, joined, community_id, member))
                for viewer in (plan.viewer, plan.blocker):
                    membership_id += 1
                    copy.write_row(
                        (membership_id, "member", "active", created, community_id, viewer)
                    )
                    active.append(viewer)
                plan.active[community_id] = active
                plan.active_sets[community_id] = set(active)
                progress.advance()
        with self.cursor.copy(
            "COPY forums_community (id, name, slug, description, kind, read_access, join_policy, "
            "email_domains, created_at, premoderate_first_posts, listed, public_thread_count) "
            "FROM STDIN"
        ) as copy:
            for row in community_rows:
                copy.write_row((*row, 0))  # counted by refresh_derived
        with self.cursor.copy(
            "COPY forums_category (id, name, slug, description, position, community_id) FROM STDIN"
        ) as copy:
            for row in category_rows:
                copy.write_row(row)
        # A vocabulary of tags, a few of them common (ForumMaker draws them Zipf-like).
        tag_names = [word for word in build_vocabulary() if word not in FUNCTION_WORDS][:200]
        with self.cursor.copy("COPY taggit_tag (id, name, slug) FROM STDIN") as copy:
            for tag_id, tag in enumerate(tag_names, 1):
                copy.write_row((tag_id, tag, slugify(tag)))
        plan.tag_ids = list(range(1, len(tag_names) + 1))
        plan.thread_content_type = ContentType.objects.get_for_model(Thread).pk
        self.timings["communities"] = progress.finish()

    def make_forum(self, plan):
        """Threads and posts, batch by batch: one thread builds the next batch while
        PostgreSQL indexes the words of the last."""
        rng = random.Random(f"{self.seed}:forum")  # noqa: S311 - repeatable, not secrets
        paragraphs = min(8000, max(400, plan.threads // 12))
        progress = Progress(self.stderr, "paragraphs", 1)
        writer = Writer(rng, paragraphs=paragraphs)
        self.timings["paragraphs"] = progress.finish()
        self.maker = maker = ForumMaker(plan, writer, rng)
        self.cursor.execute("DROP TABLE IF EXISTS generate_data_posts")
        self.cursor.execute(
            """
            CREATE TEMPORARY TABLE generate_data_posts (
                id bigint, thread_id bigint, author_id bigint, is_opening boolean, title text,
                body text, body_html text, visibility varchar(10), votes integer,
                created_at timestamptz, deleted_at timestamptz, hidden_at timestamptz,
                hidden_reason varchar(500), is_pending boolean
            )
            """
        )
        insert_posts = """
            INSERT INTO forums_post (id, thread_id, author_id, is_opening, body, body_html,
                visibility, votes, created_at, deleted_at, hidden_at, hidden_reason, is_pending,
                search_vector)
            SELECT id, thread_id, author_id, is_opening, body, body_html, visibility, votes,
                created_at, deleted_at, hidden_at, hidden_reason, is_pending,
                setweight(to_tsvector(%(config)s::regconfig, title), 'A')
                    || setweight(to_tsvector(%(config)s::regconfig, body), 'B')
            FROM generate_data_posts
        """
        config = {"config": settings.HEARTH_SEARCH_CONFIG}
        progress = Progress(self.stderr, "threads+posts", plan.threads)
        for batch in in_background(maker.batches(self.options["batch"])):
            self.copy("forums_thread", THREAD_COLUMNS, batch.threads)
            self.copy("generate_data_posts", STAGED_POST_COLUMNS, batch.posts)
            self.cursor.execute(insert_posts, config)
            self.cursor.execute("TRUNCATE generate_data_posts")
            self.copy("forums_postvote", "id, created_at, member_id, post_id", batch.votes)
            self.copy("forums_threadfollow", "id, member_id, thread_id", batch.follows)
            self.copy("taggit_taggeditem", "id, object_id, content_type_id, tag_id", batch.tags)
            progress.advance(len(batch.threads))
        self.cursor.execute("DROP TABLE generate_data_posts")
        self.posts = maker.posts
        self.timings["threads+posts"] = progress.finish()

    def make_notifications(self, plan):
        """A few hundred notifications for each bench viewer: replies in their public threads
        and mentions in public posts, most of them read."""
        rng = random.Random(f"{self.seed}:notifications")  # noqa: S311 - repeatable
        self.cursor.execute(
            """
            SELECT p.id, p.author_id, p.thread_id, p.created_at FROM forums_post p
            JOIN forums_thread t ON t.id = p.thread_id
            WHERE p.visibility = 'public' AND t.visibility = 'public' AND p.deleted_at IS NULL
              AND p.hidden_at IS NULL AND NOT p.is_pending AND t.deleted_at IS NULL
              AND t.hidden_at IS NULL AND NOT t.is_pending AND p.id % 211 = 0
            ORDER BY p.id
            """
        )
        public_posts = self.cursor.fetchall()
        rows = []
        for recipient, candidates in self.maker.notifications.items():
            replies = rng.sample(candidates, min(250, len(candidates)))
            others = [post for post in public_posts if post[1] != recipient]
            mentions = rng.sample(others, min(100, len(others)))
            for _, actor, thread_id, post_id, created in replies:
                rows.append(("reply", actor, thread_id, post_id, at(created), recipient))
            for post_id, actor, thread_id, created in mentions:
                rows.append(("mention", actor, thread_id, post_id, created, recipient))
        rows.sort(key=lambda row: (row[4], row[3], row[5]))
        with self.cursor.copy(
            "COPY forums_notification (id, kind, message, created_at, read_at, actor_id, "
            "post_id, thread_id, recipient_id) FROM STDIN"
        ) as copy:
            for row_id, (kind, actor, thread_id, post_id, created, recipient) in enumerate(rows, 1):
                read_at = None
                if rng.random() < 0.6:
                    read_at = min(BASE, created + timedelta(seconds=rng.randint(60, 5 * 86400)))
                copy.write_row(
                    (row_id, kind, "", created, read_at, actor, post_id, thread_id, recipient)
                )

    def refresh_derived(self):
        """Sets what a community stores about its threads, as the services keep it: its
        count of threads for everyone (community_recount, ThreadQuerySet.for_everyone). One
        set-based UPDATE, run after the threads are loaded. What a thread stores about its
        posts (score, bumped_at, bumped_by) is written with the thread itself
        (ForumMaker.thread): updating 100,000 thread rows here, while their indexes are away,
        would leave broken HOT chains that keep PostgreSQL from using the new indexes while
        any older transaction is open."""
        for_everyone = (
            Thread.objects.filter(community=OuterRef("pk"))
            .for_everyone()
            .order_by()
            .values("community")
            .annotate(count=Count("pk"))
            .values("count")
        )
        Community.objects.update(public_thread_count=Coalesce(Subquery(for_everyone), 0))

    def reset_sequences(self):
        for table in LOADED_TABLES:
            self.cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), coalesce(max(id), 1), "  # noqa: S608
                f"max(id) IS NOT NULL) FROM {table}",
                [table],
            )

    def analyze(self):
        """Statistics for the planner, and (outside a transaction) the visibility map that
        lets index-only scans skip the table."""
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        progress = Progress(self.stderr, command.split()[0].lower(), len(LOADED_TABLES))
        with connection.cursor() as cursor:
            for table in LOADED_TABLES:
                cursor.execute(f"{command} {table}")
                progress.advance()
        self.timings["analyze"] = progress.finish()

    # Helpers ------------------------------------------------------------------------------

    def copy(self, table, columns, rows):
        with self.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def timed(self, label, step):
        progress = Progress(self.stderr, label, 1)
        step()
        progress.advance()
        self.timings[label] = progress.finish()


THREAD_COLUMNS = (
    "id, kind, title, slug, visibility, is_pinned, is_locked, idea_status, score, created_at, "
    "bumped_at, deleted_at, hidden_at, accepted_answer_id, author_id, category_id, "
    "community_id, is_pending, bumped_by_id"
)
STAGED_POST_COLUMNS = (
    "id, thread_id, author_id, is_opening, title, body, body_html, visibility, votes, "
    "created_at, deleted_at, hidden_at, hidden_reason, is_pending"
)


def in_background(batches, ahead=2):
    """Runs a generator in a thread, `ahead` items in front of the consumer. Pure Python
    work overlaps with the database's, which waits on no lock of ours."""
    handover = queue.Queue(maxsize=ahead)
    stop = threading.Event()
    done = object()

    def produce():
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        handover.put(batch, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            handover.put(done)
        except BaseException:  # noqa: BLE001 - handed to the consumer, which raises it
            handover.put(sys.exc_info()[1])

    worker = threading.Thread(target=produce, name="generate_data", daemon=True)
    worker.start()
    try:
        while (item := handover.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)
