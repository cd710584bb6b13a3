"""Benchmark: the home feed and a space's page in a large, busy company.

Seeds a Northwind of ``--scale`` size in the benchmark's own database (small: 1,000
people, 80 spaces, 2,000 posts, 10,000 comments; full: 10,000 people, 300 spaces,
200,000 posts over the last 12 months, 1,000,000 comments, 1,000,000 reactions and
1,000,000 reads), then measures, for 20 people of different departments (the member of
the most spaces among them), the server time of the home feed, of its second page and of
the busiest open group's page with its posts (p50/p95 over ``--repeat`` requests
through Django's test client, so without network) and the SQL queries of one request.

    rallypoint bench feed [--scale small|full] [--json FILE] [--repeat N] [--reseed]

A database already seeded at the same scale is measured again without seeding;
``--reseed`` starts from an empty one.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import json
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import ROOT, measure_rotating, parser, report, reset_database, setup_django


@dataclass(frozen=True)
class Scale:
    people: int
    spaces: int
    posts: int
    comments: int
    reactions: int
    reads: int


SCALES = {
    "small": Scale(people=1_000, spaces=80, posts=2_000, comments=10_000, reactions=10_000,
                   reads=10_000),
    "full": Scale(people=10_000, spaces=300, posts=200_000, comments=1_000_000,
                  reactions=1_000_000, reads=1_000_000),
}  # fmt: skip
SEED = 4242
VIEWERS = 20
DAYS = 365
# Share of the comments that answer another comment, and of the reactions on comments.
REPLY_SHARE = 0.3
COMMENT_REACTION_SHARE = 0.4
# Rows written per transaction.
CHUNK = 50_000

POST_TEXTS = (
    "## Sprint review on Thursday\n\nWe demo the new **onboarding flow** and the "
    "search improvements. Bring questions!\n\n- 15:00 UTC\n- Room 3A and online",
    "Shipped: exports are now *three times* faster for big accounts. Thanks to everyone "
    "who tested the beta.",
    "Reminder: the office is closed on Monday for the public holiday. Enjoy the long weekend 🌞",
    "Who has experience with `pg_partman`? We are planning to partition the events table "
    "and would love a second pair of eyes.",
    "Our customer NPS went from 41 to **52** this quarter. Full report in the wiki: "
    "https://wiki.northwind.example/reports/nps",
    "Lunch & learn tomorrow: *Writing docs people actually read*. Pizza provided.",
    "> Simplicity is prerequisite for reliability.\n\nA good reminder before we start the "
    "platform redesign.",
    "New joiners this week — please say hello to our three new colleagues in Support!",
    "Quick poll before the offsite: morning hike or afternoon cooking class? Reply below.",
    "The Q3 roadmap is up for comments until Friday:\n\n1. Faster search\n2. Mobile "
    "notifications\n3. Better reporting",
    "Heads-up: the VPN certificate rotates tonight at 22:00 local time. Reconnect if you "
    "get logged out.",
    "Big thanks to the facilities team for the new standing desks on the 4th floor 🙏",
    "We are hiring two senior engineers and a product designer. Referrals welcome — see "
    "the careers page.",
    "Post-mortem of last week's outage is published. Short version: a config flag, a "
    "missing alert, and a fast rollback. Action items are tracked.",
    "Customer story: how Contoso cut their month-end close from 9 days to 4 with our "
    "reporting module.",
    "Please fill in the engagement survey by Wednesday. It takes 6 minutes and it is anonymous.",
)
COMMENT_TEXTS = (
    "Great news, thanks for sharing!",
    "Congrats to the whole team 🎉",
    "Is there a recording for those of us in other time zones?",
    "+1, count me in.",
    "Could you share the slides afterwards?",
    "This is **huge**. Well done.",
    "I have a few questions, will ping you directly.",
    "Thanks, that was really helpful.",
    "Where can I find the details?",
    "Love this!",
    "Agreed — let's keep it simple.",
    "See the wiki page: https://wiki.northwind.example/faq",
)
GROUP_TOPICS = (
    "Running club", "Book club", "Photography", "Parents", "Data guild", "Frontend guild",
    "Security champions", "Green team", "Coffee lovers", "Board games", "Cycling",
    "Women in tech", "Pride network", "Language exchange", "Mentoring", "Accessibility",
    "Product feedback", "Customer stories", "Hackathon", "Wellbeing", "Music", "Gardening",
    "Volunteering", "Travel tips", "Chess", "Climbing", "Yoga", "Cooking", "Pets", "Films",
)  # fmt: skip
EMOJI_WEIGHTS = {"thumbsup": 50, "heart": 20, "tada": 15, "laugh": 6, "wow": 4, "thanks": 5}


def say(text: str) -> None:
    print(text, flush=True)


def _chunks(objects: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(objects)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class Seeder:
    """Writes the large company in bulk: explicit ids for posts and comments (so replies
    and reactions need no read-back), one transaction per ``CHUNK`` rows."""

    def __init__(self, scale: Scale) -> None:
        from django.db import connection
        from django.utils import timezone

        self.scale = scale
        self.rng = random.Random(SEED)
        self.now = timezone.now()
        self.vendor = connection.vendor
        self.started = time.perf_counter()

    def _insert(
        self,
        model: Any,
        columns: tuple[str, ...],
        rows: Iterable[tuple[Any, ...]],
        total: int,
        label: str,
    ) -> int:
        """Insert ``rows`` (values of ``columns``, attribute names, already adapted for the
        database) into ``model``'s table; every other column gets the field's default.

        Plain tuples and multi-row INSERTs rather than model instances and
        ``bulk_create``: the same statements, without the per-object work that made a
        million rows take minutes.
        """
        from django.db import connection, transaction

        fields = [f for f in model._meta.concrete_fields if f.attname not in columns]
        defaults = tuple(
            f.get_db_prep_save(f.get_default(), connection) for f in fields if not f.primary_key
        )
        names = [*columns, *(f.attname for f in fields if not f.primary_key)]
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        column_sql = ", ".join(quote(model._meta.get_field(n).column) for n in names)
        one = "(" + ", ".join(["%s"] * len(names)) + ")"
        # Table and column names come from the model's own metadata.
        insert = f"INSERT INTO {table} ({column_sql}) VALUES "  # noqa: S608
        written = 0
        for chunk in _chunks(rows, CHUNK):
            with transaction.atomic(), connection.cursor() as cursor:
                if self.vendor == "sqlite":
                    cursor.executemany(insert + one, [row + defaults for row in chunk])
                else:
                    # psycopg's own cursor binds on the server and pipelines the rows.
                    import psycopg

                    with psycopg.Cursor(connection.connection) as raw:
                        raw.executemany(insert + one, [row + defaults for row in chunk])
            written += len(chunk)
            elapsed = time.perf_counter() - self.started
            say(f"  {label}: {written:,}/{total:,} ({elapsed:.1f} s)")
        return written

    def _dt(self, value: datetime.datetime) -> Any:
        """``value`` as the database stores it: what ``adapt_datetimefield_value`` gives,
        done directly for SQLite (naive UTC text), where it is a quarter of the work."""
        from django.db import connection

        if self.vendor == "sqlite" and value.utcoffset() == datetime.timedelta(0):
            return str(value.replace(tzinfo=None))
        return connection.ops.adapt_datetimefield_value(value)

    def _tune_connection(self) -> None:
        """Settings for this loading connection only; it is closed after seeding."""
        from django.db import connection

        with connection.cursor() as cursor:
            if self.vendor == "sqlite":
                cursor.execute("PRAGMA synchronous=OFF")
                cursor.execute("PRAGMA cache_size=-400000")
                cursor.execute("PRAGMA temp_store=MEMORY")
            elif self.vendor == "postgresql":
                cursor.execute("SET synchronous_commit TO OFF")

    def run(self) -> dict[str, Any]:
        from django.db import connections

        from rallypoint.people.seed import demo_company_seed

        self._tune_connection()
        say(f"Seeding {self.scale.people:,} people with their directory spaces…")
        demo_company_seed(people=self.scale.people)
        self._groups()
        self._memberships()
        self._posts()
        self._comments()
        self._reactions()
        self._reads()
        self._finish()
        connections.close_all()
        return self.counts()

    # ------------------------------------------------------------ spaces

    def _groups(self) -> None:
        from rallypoint.people.models import User
        from rallypoint.spaces.directory import unique_slug
        from rallypoint.spaces.models import Space

        missing = self.scale.spaces - Space.objects.count()
        self.user_ids = list(
            User.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
        )
        taken = set(Space.objects.values_list("slug", flat=True))
        kinds = self.rng.choices(
            [Space.Kind.OPEN, Space.Kind.PRIVATE, Space.Kind.SECRET], [80, 15, 5], k=missing
        )
        groups = []
        for n, kind in enumerate(kinds):
            name = f"{GROUP_TOPICS[n % len(GROUP_TOPICS)]} {n // len(GROUP_TOPICS) + 1}"
            groups.append(
                Space(
                    kind=kind,
                    name=name,
                    slug=unique_slug(name, taken),
                    description=f"{name}: everyone interested is welcome.",
                    created_by_id=self.rng.choice(self.user_ids),
                )
            )
        Space.objects.bulk_create(groups, batch_size=1_000)
        say(f"  spaces: {Space.objects.count():,} ({len(groups):,} groups added)")

    def _memberships(self) -> None:
        """Everyone in 10 to 20 spaces: the directory ones, and groups picked by popularity
        (a few big groups, many small ones); each group's creator owns it."""
        from rallypoint.spaces.models import Space, SpaceMembership

        owner, member = SpaceMembership.Role.OWNER.value, SpaceMembership.Role.MEMBER.value
        manual = SpaceMembership.Source.MANUAL.value
        now = self._dt(self.now)
        members: dict[int, set[int]] = {}
        for space_id, user_id in SpaceMembership.objects.values_list("space_id", "user_id"):
            members.setdefault(space_id, set()).add(user_id)
        new_groups = list(
            Space.objects.filter(kind__in=Space.GROUP_KINDS, memberships__isnull=True)
            .order_by("pk")
            .values_list("pk", "created_by_id")
        )
        cumulative = list(
            itertools.accumulate(1 / (rank + 1) ** 0.9 for rank in range(len(new_groups)))
        )
        in_spaces = Counter(
            user_id for user_ids in members.values() for user_id in user_ids
        )  # spaces per person so far
        rows = []
        for space_id, owner_id in new_groups:
            members.setdefault(space_id, set()).add(owner_id)
            rows.append((space_id, owner_id, owner, manual, now))
        for user_id in self.user_ids:
            want = self.rng.randint(10, 20) - in_spaces[user_id]
            chosen: set[int] = set()
            for _attempt in range(want * 3):
                if len(chosen) >= want:
                    break
                index = bisect.bisect(cumulative, self.rng.random() * cumulative[-1])
                space_id = new_groups[min(index, len(new_groups) - 1)][0]
                if user_id not in members[space_id]:
                    chosen.add(space_id)
            for space_id in chosen:
                members[space_id].add(user_id)
                rows.append((space_id, user_id, member, manual, now))
        columns = ("space_id", "user_id", "role", "source", "joined_at")
        self._insert(SpaceMembership, columns, rows, len(rows), "group memberships")
        self.members = {space_id: sorted(ids) for space_id, ids in members.items()}

    # ------------------------------------------------------------ posts

    def _rendered(self, texts: tuple[str, ...]) -> list[tuple[str, str]]:
        from rallypoint.core.markdown import render_markdown

        return [(text, str(render_markdown(text))) for text in texts]

    def _posts(self) -> None:
        """Posts over the last year, ids in time order, in proportion to each space's
        members (the company space, where only communications managers post, gets few)."""
        from rallypoint.feed.models import Post
        from rallypoint.people.models import User
        from rallypoint.spaces.models import Space

        rng = self.rng
        spaces = dict(Space.objects.values_list("pk", "kind"))
        publishers = list(
            User.objects.filter(
                role__in=[User.Role.COMMUNICATIONS, User.Role.ADMINISTRATOR]
            ).values_list("pk", flat=True)
        )
        space_ids = sorted(self.members)
        weights = [
            len(self.members[s]) ** 0.7 if spaces[s] != Space.Kind.COMPANY else 0.0
            for s in space_ids
        ]
        company = [s for s in space_ids if spaces[s] == Space.Kind.COMPANY]
        count = self.scale.posts - Post.objects.count()
        company_posts = count // 100 if company else 0
        chosen = rng.choices(space_ids, weights, k=count - company_posts) + company * company_posts
        ages = sorted((rng.random() * DAYS * 86400 for _ in chosen), reverse=True)
        rng.shuffle(chosen)
        texts = self._rendered(POST_TEXTS)
        first = (Post.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        # (id, space id, created_at) of every post, for comments, reactions and reads.
        self.posts: list[tuple[int, int, datetime.datetime]] = []
        pinned_spaces: set[int] = set()
        published = Post.Status.PUBLISHED.value
        rows = []
        for n, (space_id, age) in enumerate(zip(chosen, ages, strict=True)):
            pk = first + n
            created = self.now - datetime.timedelta(seconds=age)
            pool = publishers if spaces[space_id] == Space.Kind.COMPANY else None
            author = rng.choice(pool or self.members[space_id])
            body, html = texts[pk % len(texts)]
            # A recent post (of the last two weeks) is pinned in a few spaces.
            pinned = age < 14 * 86400 and space_id not in pinned_spaces and rng.random() < 0.05
            if pinned:
                pinned_spaces.add(space_id)
            at = self._dt(created)
            rows.append(
                (
                    pk,
                    space_id,
                    author,
                    body,
                    html,
                    at,
                    at if pinned else None,
                    published,
                )
            )
            self.posts.append((pk, space_id, created))
        columns = ("id", "space_id", "author_id", "body", "body_html", "created_at", "pinned_at",
                   "status")  # fmt: skip
        self._insert(Post, columns, rows, count, "posts")

    def _spread(self, total: int, targets: int) -> list[int]:
        """How many of ``total`` items each of ``targets`` gets: a long tail, some busy."""
        weights = list(itertools.accumulate(self.rng.paretovariate(1.5) for _ in range(targets)))
        picks = self.rng.choices(range(targets), cum_weights=weights, k=total)
        counts = [0] * targets
        for index in picks:
            counts[index] += 1
        return counts

    def _comments(self) -> None:
        from rallypoint.feed.models import Comment

        rng = self.rng
        texts = self._rendered(COMMENT_TEXTS)
        first = (Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        counts = self._spread(self.scale.comments, len(self.posts))
        latest = self.now - datetime.timedelta(minutes=1)
        # (id, space id) of every comment, for reactions.
        self.comments: list[tuple[int, int]] = []

        def generate() -> Iterator[Any]:
            pk = first
            for (post_id, space_id, posted), count in zip(self.posts, counts, strict=True):
                members = self.members[space_id]
                when = posted
                top: list[int] = []
                for _n in range(count):
                    when = min(when + datetime.timedelta(minutes=rng.expovariate(1 / 90)), latest)
                    parent = rng.choice(top) if top and rng.random() < REPLY_SHARE else None
                    if parent is None:
                        top.append(pk)
                    body, html = texts[pk % len(texts)]
                    at = self._dt(max(when, posted))
                    yield (pk, post_id, parent, rng.choice(members), body, html, at)
                    self.comments.append((pk, space_id))
                    pk += 1

        columns = ("id", "post_id", "parent_id", "author_id", "body", "body_html", "created_at")
        self._insert(Comment, columns, generate(), self.scale.comments, "comments")

    def _reactions(self) -> None:
        from rallypoint.feed.models import Reaction

        rng = self.rng
        emojis, weights = list(EMOJI_WEIGHTS), list(EMOJI_WEIGHTS.values())
        on_comments = int(self.scale.reactions * COMMENT_REACTION_SHARE)
        on_posts = self.scale.reactions - on_comments

        now = self._dt(self.now)

        def generate() -> Iterator[Any]:
            for targets, total, on_post in (
                (self.posts, on_posts, True),
                (self.comments, on_comments, False),
            ):
                for target, count in zip(targets, self._spread(total, len(targets)), strict=True):
                    if not count:
                        continue
                    members = self.members[target[1]]
                    post_id, comment_id = (target[0], None) if on_post else (None, target[0])
                    for user_id in rng.sample(members, min(count, len(members))):
                        emoji = rng.choices(emojis, weights)[0]
                        yield (post_id, comment_id, user_id, emoji, now)

        columns = ("post_id", "comment_id", "user_id", "emoji", "created_at")
        self._insert(Reaction, columns, generate(), self.scale.reactions, "reactions")

    def _reads(self) -> None:
        from rallypoint.feed.models import PostRead

        rng = self.rng

        def generate() -> Iterator[Any]:
            counts = self._spread(self.scale.reads, len(self.posts))
            for (post_id, space_id, posted), count in zip(self.posts, counts, strict=True):
                members = self.members[space_id]
                at = self._dt(posted)
                for user_id in rng.sample(members, min(count, len(members))):
                    yield (post_id, user_id, at)

        columns = ("post_id", "user_id", "first_read_at")
        self._insert(PostRead, columns, generate(), self.scale.reads, "reads")

    def _finish(self) -> None:
        """Move the id sequences past the explicit ids; on PostgreSQL, refresh the
        statistics and visibility map as autovacuum would after a load."""
        from django.core.management.color import no_style
        from django.db import connection

        from rallypoint.feed.models import Comment, Post

        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [Post, Comment]):
                cursor.execute(statement)
            if self.vendor == "postgresql":
                say("  VACUUM ANALYZE…")
                cursor.execute("VACUUM ANALYZE")

    @staticmethod
    def counts() -> dict[str, Any]:
        from django.db import connection

        from rallypoint.feed.models import Comment, Post, PostRead, Reaction
        from rallypoint.people.models import User
        from rallypoint.spaces.models import Space, SpaceMembership

        return {
            "people": User.objects.count(),
            "spaces": Space.objects.count(),
            "memberships": SpaceMembership.objects.count(),
            "posts": Post.objects.count(),
            "comments": Comment.objects.count(),
            "replies": Comment.objects.filter(parent__isnull=False).count(),
            "reactions": Reaction.objects.count(),
            "reads": PostRead.objects.count(),
            "database": connection.vendor,
        }


# ---------------------------------------------------------------- measuring


def _seed_record() -> Path:
    """Where the seeding figures of this database are kept (beside a SQLite file, or
    under ``var/bench``), to report them again when a later run measures the same data."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        return Path(f"{name}.seed.json")
    safe = re.sub(r"[^\w.-]", "_", name)
    return ROOT / "var" / "bench" / f"{connection.vendor}-{safe}.seed.json"


def _seeded(scale: Scale, record: Path) -> dict[str, Any] | None:
    if not record.exists():
        return None
    try:
        saved = json.loads(record.read_text())
    except ValueError:
        return None
    current = Seeder.counts()
    same = all(saved.get(key) == current[key] for key in ("people", "spaces", "posts", "comments"))
    return saved if same and current["posts"] >= scale.posts else None


def _viewers(rng: random.Random, count: int) -> list[Any]:
    """The member of the most spaces, then people of each department in turn."""
    from django.db.models import Count

    from rallypoint.people.models import User

    active = User.objects.filter(is_active=True)
    busiest = active.annotate(n=Count("space_memberships")).order_by("-n", "pk").first()
    assert busiest is not None
    by_department: dict[int | None, list[int]] = {}
    for pk, department_id in active.order_by("pk").values_list("pk", "department_id"):
        if pk != busiest.pk:
            by_department.setdefault(department_id, []).append(pk)
    pools = [rng.sample(ids, min(len(ids), count)) for _, ids in sorted(by_department.items())]
    ids = [busiest.pk]
    for group in itertools.zip_longest(*pools):
        ids += [pk for pk in group if pk is not None]
    people = User.objects.in_bulk(ids[:count])
    return [people[pk] for pk in ids[:count]]


def _busiest_open_group() -> Any:
    from django.db.models import Count

    from rallypoint.spaces.models import Space

    space = (
        Space.objects.filter(kind=Space.Kind.OPEN, archived_at=None)
        .annotate(n=Count("posts"))
        .order_by("-n", "pk")
        .first()
    )
    assert space is not None, "no open group to measure"
    return space


def measure_pages(repeat: int, *, viewers: int) -> tuple[dict[str, Any], dict[str, Any]]:
    from django.test import Client
    from django.urls import reverse

    from rallypoint.spaces.models import SpaceMembership

    people = _viewers(random.Random(SEED), viewers)
    space = _busiest_open_group()
    clients = []
    for viewer in people:
        client = Client()
        client.force_login(viewer)
        clients.append(client)

    def get(client: Client, url: str, htmx: bool = False) -> str:
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code)
        return response.content.decode()

    def fetch(url: str, htmx: bool = False) -> list[Callable[[], object]]:
        return [lambda c=c: get(c, url, htmx) for c in clients]

    home = reverse("home")
    cursors = []
    for client in clients:
        found = re.search(r"[?&]cursor=([A-Za-z0-9_-]+)", get(client, home))
        assert found, "the first page of the home feed links to no older posts"
        cursors.append(f"{home}?cursor={found.group(1)}")
    space_url = reverse("spaces_detail", args=[space.slug])
    posts_url = reverse("feed_space_posts", args=[space.slug])

    say(f"Measuring as {len(people)} people, {repeat} requests per page…")
    pages: dict[str, Any] = {}
    pages["home_feed"] = measure_rotating(fetch(home), repeat)
    pages["home_feed"]["url"] = home
    pages["home_feed"]["next_page"] = measure_rotating(
        [lambda c=c, u=u: get(c, u, True) for c, u in zip(clients, cursors, strict=True)],
        repeat,
    )
    pages["home_feed"]["feed_only"] = measure_rotating(fetch(reverse("feed")), repeat)
    pages["home_feed"]["feed_only"]["url"] = reverse("feed")
    pages["space"] = measure_rotating(
        [lambda c=c: (get(c, space_url), get(c, posts_url, True)) for c in clients],
        repeat,
    )
    pages["space"]["url"] = space_url
    pages["space"]["page"] = measure_rotating(fetch(space_url), repeat)
    pages["space"]["posts"] = measure_rotating(fetch(posts_url, True), repeat)
    pages["space"]["posts"]["url"] = posts_url
    memberships = Counter(
        SpaceMembership.objects.filter(user__in=people).values_list("user_id", flat=True)
    )
    sample = {
        "viewers": len(people),
        "viewer_spaces_max": max(memberships.values()),
        "viewer_spaces_min": min(memberships.values()),
        "space": {
            "slug": space.slug,
            "posts": space.posts.count(),
            "members": space.memberships.count(),
        },
    }
    return pages, sample


def table(result: dict[str, Any]) -> str:
    rows = [("page", "p50 ms", "p95 ms", "queries")]
    home, space = result["pages"]["home_feed"], result["pages"]["space"]
    for label, figures in (
        ("home feed (/)", home),
        ("home feed, older posts", home["next_page"]),
        ("feed only (/feed/)", home["feed_only"]),
        ("space page + its posts", space),
        ("  space page", space["page"]),
        ("  its posts (htmx)", space["posts"]),
    ):
        rows.append(
            (label, f"{figures['p50_ms']:.1f}", f"{figures['p95_ms']:.1f}", str(figures["queries"]))
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in
                  enumerate(zip(row, widths, strict=True)))
        for row in rows
    ]  # fmt: skip
    scale = result["scale"]
    lines.append(
        f"{scale['people']:,} people, {scale['spaces']:,} spaces, {scale['posts']:,} posts, "
        f"{scale['comments']:,} comments, {scale['reactions']:,} reactions on "
        f"{scale['database']}; seeded in {scale.get('seed_seconds')} s"
    )
    return "\n".join(lines)


def main() -> None:
    p = parser(__doc__.split("\n")[0], default_scale="small")
    p.add_argument("--reseed", action="store_true", help="start from an empty database")
    p.add_argument("--viewers", type=int, default=VIEWERS, help="people the pages are seen as")
    args = p.parse_args()
    scale = SCALES.get(args.scale)
    if scale is None:
        raise SystemExit(f"--scale must be one of {', '.join(SCALES)}")
    name = f"feed-{args.scale}"
    setup_django(name, fresh=args.reseed)

    record = _seed_record()
    saved = None if args.reseed else _seeded(scale, record)
    if saved is None:
        if not args.reseed and Seeder.counts()["people"]:
            reset_database()
        started = time.perf_counter()
        counts = Seeder(scale).run()
        counts["seed_seconds"] = round(time.perf_counter() - started, 1)
        record.write_text(json.dumps(counts))
        say(f"Seeded in {counts['seed_seconds']} s.")
    else:
        counts = saved | {"reused": True}
        say(f"Measuring the data seeded earlier ({counts.get('seed_seconds')} s to seed).")
    counts["scale"] = args.scale
    # The planner statistics a running install keeps (SQLite: the nightly job; PostgreSQL:
    # autovacuum, done above by VACUUM ANALYZE after seeding).
    from rallypoint.core.services import database_statistics_refresh

    database_statistics_refresh()
    pages, sample = measure_pages(args.repeat, viewers=max(1, args.viewers))
    result = {"pages": pages, "scale": counts | {"sample": sample}}
    say(table(result))
    report(result, args.json_file)


if __name__ == "__main__":
    main()
