from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from accounts.models import Member
from accounts.services import circle_add, member_create
from forums import services
from forums.models import Category, Community, Membership
from forums.moderation import services as moderation

# Demo logins, printed by `make run`. Only for a local demo: never load this in production.
DEMO_MEMBERS = [
    # (e-mail, display name, password, staff)
    ("manager@example.com", "Community Manager Kim", "hearth-demo-manager", True),
    ("river@example.com", "River", "hearth-demo-river", False),
    ("sam@example.com", "Quiet Sam", "hearth-demo-sam", False),
    ("noor@example.com", "Noor H.", "hearth-demo-noor", False),
    ("jules@acme.example", "Jules", "hearth-demo-jules", False),
]

# (name, slug, kind, read access, join policy, description, categories, domains)
DEMO_COMMUNITIES = [
    (
        "Hearth Help",
        "help",
        "support",
        "open",
        "open",
        "Questions about using Hearth, answered by the team and other members.",
        ["Getting started", "Accounts and privacy"],
        "",
    ),
    (
        "Night Shift Nurses",
        "night-shift",
        "practice",
        "members",
        "open",
        "Nurses from many hospitals swapping what works on nights.",
        ["Lessons learned", "Tools and checklists"],
        "",
    ),
    (
        "Living with Long Covid",
        "long-covid",
        "peer_support",
        "private",
        "request",
        "A members-only peer-support space. Share as much or as little as you like.",
        ["Check-ins", "Pacing and rest"],
        "",
    ),
    (
        "Ideas for Hearth",
        "ideas",
        "ideas",
        "open",
        "open",
        "Propose what Hearth should do next, and vote on what matters to you.",
        ["Ideas"],
        "",
    ),
    (
        "Trail Runners",
        "trail-runners",
        "interest",
        "members",
        "open",
        "Routes, kit and the occasional muddy photo report.",
        ["Routes", "Kit"],
        "",
    ),
    (
        "Acme Staff Room",
        "acme",
        "internal",
        "private",
        "domain",
        "For Acme staff: anyone with a verified acme.example address joins automatically.",
        ["Announcements"],
        "acme.example",
    ),
]

# Private communities that signed-in members who do not belong find on the home page, with
# an "Ask to join" button (Jules, say, belongs to neither).
LISTED = {"long-covid"}

MEMBERSHIPS = {
    "help": ["River", "Quiet Sam", "Noor H."],
    "night-shift": ["Noor H.", "Quiet Sam"],
    "long-covid": ["River", "Quiet Sam", "Noor H."],
    "ideas": ["River", "Quiet Sam", "Noor H."],
    "trail-runners": ["River", "Noor H."],
    "acme": ["Jules"],
}

# (community, category, author, kind, title, body, visibility, tags,
#  replies: [(author, body, visibility)], accepted reply index, voters, idea status)
DEMO_THREADS = [
    (
        "help",
        "Getting started",
        "River",
        "question",
        "How do I choose who sees my post?",
        "I'd like some posts to stay between me and a few friends. Is that possible?",
        "public",
        ["privacy", "posting"],
        [
            (
                "Community Manager Kim",
                "Yes! Under every post form there is **Who can see this?**\n\n"
                "- *Community*: everyone who can read the community\n"
                "- *My circle*: you and the people in your circle (Settings → Circle and blocks)\n"
                "- *Only me*: a private journal entry",
                "public",
            ),
            ("Noor H.", "Thanks @Community Manager Kim, that helped me too.", "public"),
        ],
        0,
        ["Quiet Sam", "Noor H."],
        "",
    ),
    (
        "help",
        "Accounts and privacy",
        "Quiet Sam",
        "question",
        "Can other members see my e-mail?",
        "Before I post anything personal: who can see my e-mail address?",
        "public",
        ["privacy"],
        [("River", "No — other members only ever see your display name and picture.", "public")],
        None,
        [],
        "",
    ),
    (
        "night-shift",
        "Lessons learned",
        "Noor H.",
        "discussion",
        "What keeps you sharp at 4am?",
        "Mine: a proper meal at 1am, not snacks. What works for you?",
        "public",
        ["wellbeing"],
        [("Quiet Sam", "A two-minute walk outside between rounds.", "public")],
        None,
        ["Quiet Sam"],
        "",
    ),
    (
        "night-shift",
        "Tools and checklists",
        "Quiet Sam",
        "question",
        "Handover checklist for a busy ward?",
        "Does anyone have a short handover checklist they trust?",
        "public",
        ["handover"],
        [],
        None,
        [],
        "",
    ),
    (
        "long-covid",
        "Check-ins",
        "River",
        "discussion",
        "Weekly check-in",
        "How is everyone's energy this week? Mine is *up and down*.",
        "public",
        ["check-in"],
        [
            ("Quiet Sam", "Better days than last week. Slowly.", "public"),
            ("Noor H.", "Only sharing this with my circle: a hard week.", "circle"),
        ],
        None,
        [],
        "",
    ),
    (
        "long-covid",
        "Pacing and rest",
        "Noor H.",
        "discussion",
        "My pacing journal",
        "Day 12. Kept to three short activities. Rest worked.",
        "private",
        ["pacing"],
        [],
        None,
        [],
        "",
    ),
    (
        "long-covid",
        "Pacing and rest",
        "Quiet Sam",
        "question",
        "For my circle: has anyone tried a heart-rate cap?",
        "I'm wondering about using a heart-rate cap for pacing.",
        "circle",
        ["pacing"],
        [("River", "I have — it helped me notice crashes coming.", "public")],
        None,
        [],
        "",
    ),
    (
        "ideas",
        "Ideas",
        "River",
        "idea",
        "Dark mode",
        "A dark theme for late-night reading.",
        "public",
        ["design"],
        [("Quiet Sam", "Yes please — my eyes at night would thank you.", "public")],
        None,
        ["Quiet Sam", "Noor H."],
        "planned",
    ),
    (
        "ideas",
        "Ideas",
        "Noor H.",
        "idea",
        "Weekly digest e-mail",
        "A Sunday e-mail with the threads I missed (titles only, nothing private).",
        "public",
        ["email"],
        [],
        None,
        ["River"],
        "under_review",
    ),
    (
        "trail-runners",
        "Routes",
        "River",
        "discussion",
        "Favourite muddy loop near you?",
        "Mine is the ridge loop after rain. Bring spare socks.",
        "public",
        ["routes", "mud"],
        [("Noor H.", "The canal path, which is only muddy in theory.", "public")],
        None,
        ["Noor H."],
        "",
    ),
    (
        "acme",
        "Announcements",
        "Jules",
        "discussion",
        "Welcome to the staff room",
        "Introduce yourself here!",
        "public",
        [],
        [],
        None,
        [],
        "",
    ),
]


class Command(BaseCommand):
    help = (
        "Loads a small demo data set: members, communities, threads. Running it again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print logins.")

    def handle(self, *args, quiet_logins=False, **options):
        # The demo's members need no e-mail about the demo's own replies.
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
            HEARTH_RATE_LIMITS={"post": "1000/60", "report": "1000/60"},
        ):
            self.load(quiet_logins)

    @transaction.atomic
    def load(self, quiet_logins):
        people = self.members()
        created = [self.community(row, people) for row in DEMO_COMMUNITIES]
        self.stdout.write(
            f"Communities: {sum(created)} added, {len(created) - sum(created)} already there."
        )
        circle_add(owner=people["River"], member=people["Noor H."])
        circle_add(owner=people["Quiet Sam"], member=people["River"])
        circle_add(owner=people["Noor H."], member=people["River"])
        if not quiet_logins:
            self.stdout.write("Demo logins (e-mail / password):")
            for email, display_name, password, staff in DEMO_MEMBERS:
                role = " — staff: /admin/ asks for an authenticator app first" if staff else ""
                self.stdout.write(f"  {email} / {password}  ({display_name}{role})")

    def members(self):
        people = {}
        added = 0
        for email, display_name, password, staff in DEMO_MEMBERS:
            member = Member.objects.filter(email=email).first()
            if member is None:
                member = member_create(
                    email=email,
                    password=password,
                    display_name=display_name,
                    email_verified=True,
                    is_staff=staff,
                    is_superuser=staff,
                )
                added += 1
            people[display_name] = member
        self.stdout.write(f"Members: {added} added, {len(DEMO_MEMBERS) - added} already there.")
        return people

    def community(self, row, people):
        name, slug, kind, read_access, join_policy, description, categories, domains = row
        if Community.objects.filter(slug=slug).exists():
            return False
        self.stdout.write(f"  adding {name}…")
        community = Community(
            name=name,
            slug=slug,
            kind=kind,
            read_access=read_access,
            listed=slug in LISTED,
            join_policy=join_policy,
            description=description,
            email_domains=domains,
        )
        community.full_clean()  # held to the rules the admin's form applies
        community.save()
        for position, category in enumerate(categories):
            Category.objects.create(
                community=community,
                name=category,
                slug=category.lower().replace(" ", "-"),
                position=position,
            )
        Membership.objects.create(
            community=community, member=people["Community Manager Kim"], role=Membership.Role.OWNER
        )
        for display_name in MEMBERSHIPS[slug]:
            Membership.objects.create(community=community, member=people[display_name])
        for thread_row in DEMO_THREADS:
            if thread_row[0] == slug:
                self.thread(community, thread_row, people)
        return True

    def thread(self, community, row, people):
        (
            _,
            category,
            author,
            kind,
            title,
            body,
            visibility,
            tags,
            replies,
            accepted,
            voters,
            status,
        ) = row
        thread = services.thread_create(
            author=people[author],
            category=community.categories.get(name=category),
            kind=kind,
            title=title,
            body=body,
            visibility=visibility,
            tags=tags,
        )
        posted = [
            services.post_create(
                author=people[replier], thread=thread, body=text, visibility=audience
            )
            for replier, text, audience in replies
        ]
        if accepted is not None:
            services.thread_accept_answer(thread=thread, post=posted[accepted], by=people[author])
        opening = thread.posts.get(is_opening=True)
        for voter in voters:
            services.post_vote(post=opening, member=people[voter])
        if status:
            moderation.thread_set_idea_status(
                thread=thread, status=status, by=people["Community Manager Kim"]
            )
