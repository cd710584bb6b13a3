"""Northwind's employee advocacy for the demo: topics, a content library, campaigns, and
three weeks of shares, clicks and engagement, so every advocacy page shows real numbers.

Run after the demo company is seeded (it needs Northwind's people and departments). Safe
to run again: everything is written in one transaction, and a database that already has
the demo library is left as it is. It never calls a network: the history (shares, tracked
links, clicks, engagement) is written as the record of what happened, dated in the past;
the API shares have no connected account, so the engagement job never asks a network
about them.

Deterministic: the same seed gives the same history, relative to the day of seeding.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import time
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.utils import timezone

from rallypoint.advocacy.models import Campaign, ContentItem, Share, ShareMetric, Topic
from rallypoint.core.audit import audit_record
from rallypoint.links.models import Click, TrackedLink
from rallypoint.links.services import with_utm
from rallypoint.networks.limits import check
from rallypoint.people.models import Department, User
from rallypoint.people.seed_data import COMMS_EMAIL

SEED = 4711
SITE = "https://www.northwind.example"
CAREERS = "https://careers.northwind.example"
HISTORY_DAYS = 21
SHARERS = 40
CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
CODE_LENGTH = 10
# Where each network's visitors come from, as the browser reports it.
REFERRERS = {
    "linkedin": ("www.linkedin.com", "lnkd.in", "www.linkedin.com"),
    "x": ("t.co",),
    "bluesky": ("bsky.app", ""),
    "mastodon": ("mastodon.social", "hachyderm.io", "fosstodon.org", ""),
    "facebook": ("l.facebook.com", "m.facebook.com"),
    "whatsapp": ("",),
    "xing": ("www.xing.com",),
}
PREVIEW_BOTS = {
    "linkedin": "LinkedInBot",
    "x": "Twitterbot",
    "bluesky": "Bluesky Cardyb",
    "mastodon": "Mastodon",
    "facebook": "facebookexternalhit",
    "whatsapp": "WhatsApp",
    "xing": "XING-contenttabreceiver",
}
# How people share: network, method, weight.
HABITS = (
    ("linkedin", Share.Method.API, 30),
    ("linkedin", Share.Method.INTENT, 18),
    ("x", Share.Method.INTENT, 10),
    ("x", Share.Method.API, 5),
    ("mastodon", Share.Method.API, 8),
    ("bluesky", Share.Method.API, 8),
    ("facebook", Share.Method.INTENT, 8),
    ("whatsapp", Share.Method.COPY, 5),
    ("xing", Share.Method.COPY, 4),
)
SUGGESTED_NETWORKS = ("linkedin", "x", "bluesky", "mastodon", "facebook")

TOPICS = (
    ("Careers", "careers"),
    ("Product", "product"),
    ("Engineering", "engineering"),
    ("Sustainability", "sustainability"),
    ("Events", "events"),
    ("Life at Northwind", "life-at-northwind"),
)


@dataclass(frozen=True)
class DemoItem:
    key: str
    kind: str
    title: str
    url: str
    description: str
    topics: tuple[str, ...]
    why: str
    short: str  # for X, Bluesky and Mastodon (the link is added when shared)
    long: str  # for LinkedIn and Facebook
    days_ago: int
    featured: bool = False
    internal_only: bool = False
    image_url: str = ""
    departments: tuple[str, ...] = ()  # empty: everyone


ITEMS = (
    DemoItem(
        "backend-jobs",
        ContentItem.Kind.LINK,
        "We're hiring backend engineers in Berlin, London and Seattle",
        f"{CAREERS}/jobs/backend-engineer",
        "Join the Platform team building the APIs that thousands of retailers rely on.",
        ("careers", "engineering"),
        "Referrals are our best hires. One share in your network reaches people we would "
        "never find on job boards.",
        "We're hiring backend engineers in Berlin, London and Seattle. Python, Postgres, "
        "kind reviews and real ownership. Come build with us!",
        "My team is hiring backend engineers in Berlin, London and Seattle.\n\nWhat I like "
        "most here: small teams, real ownership, and code reviews that teach you something. "
        "If you know someone who loves Python and Postgres, send them my way.",
        20,
        featured=True,
    ),
    DemoItem(
        "design-jobs",
        ContentItem.Kind.LINK,
        "Product designers wanted: shape how small shops sell online",
        f"{CAREERS}/jobs/product-designer",
        "Two open roles in the Product team, remote-friendly within Europe.",
        ("careers", "product"),
        "Designers trust designers: a share from you says more than any ad.",
        "Our Product team is looking for two product designers (remote-friendly in Europe). "
        "Research-led, shipped weekly.",
        "We're looking for two product designers to join our Product team, remote-friendly "
        "within Europe. You'd work closely with research and engineering and see your work "
        "in customers' hands every week.",
        16,
    ),
    DemoItem(
        "release-spring",
        ContentItem.Kind.LINK,
        "Northwind Spring release: offline mode and faster checkout",
        f"{SITE}/blog/spring-release",
        "Offline mode for the mobile app, a checkout that is 40% faster, and 60 smaller "
        "improvements customers asked for.",
        ("product",),
        "Customers read release notes shared by the people who built them.",
        "Offline mode is here, and checkout got 40% faster. Our Spring release is out.",
        "Our Spring release is out: offline mode in the mobile app, a checkout that is 40% "
        "faster, and sixty smaller improvements our customers asked for. Proud of the team "
        "behind it.",
        12,
        featured=True,
        image_url=f"{SITE}/media/spring-release.png",
    ),
    DemoItem(
        "build-cache",
        ContentItem.Kind.LINK,
        "How we cut CI times by 40% with a shared build cache",
        f"{SITE}/engineering/build-cache",
        "An engineering blog post from the Platform team on remote caching at scale.",
        ("engineering",),
        "Technical posts are how engineers decide where they want to work.",
        "How we cut our CI times by 40% with a shared build cache, from our Platform team.",
        "Our Platform team wrote up how a shared build cache cut CI times by 40%: what "
        "worked, what did not, and the numbers. A good read if you run CI for more than a "
        "handful of engineers.",
        9,
    ),
    DemoItem(
        "postgres-talk",
        ContentItem.Kind.VIDEO,
        "Talk: zero-downtime Postgres migrations (PGConf recording)",
        "https://video.northwind.example/talks/zero-downtime-postgres",
        "Our database lead's conference talk, 28 minutes.",
        ("engineering", "events"),
        "Conference talks travel far in engineering communities.",
        "Zero-downtime Postgres migrations: the recording of our PGConf talk is online.",
        "The recording of our PGConf talk on zero-downtime Postgres migrations is online: "
        "28 minutes of practical patterns we use every week.",
        6,
    ),
    DemoItem(
        "solar-roof",
        ContentItem.Kind.IMAGE,
        "Our Berlin office now runs on its own solar roof",
        f"{SITE}/sustainability/berlin-solar",
        "420 panels, about 60% of the office's yearly electricity.",
        ("sustainability",),
        "Sustainability news is among the most shared company content.",
        "Our Berlin office now runs on its own solar roof: 420 panels, about 60% of our "
        "electricity.",
        "Good news from Berlin: 420 solar panels on our office roof now produce about 60% of "
        "the electricity we use there. One step of our plan to halve our emissions by 2030.",
        14,
        image_url=f"{SITE}/media/berlin-solar-roof.jpg",
    ),
    DemoItem(
        "impact-report",
        ContentItem.Kind.LINK,
        "Impact report: halfway to our 2030 climate goal",
        f"{SITE}/sustainability/impact-report",
        "Emissions, suppliers, travel and what comes next, in 12 pages.",
        ("sustainability",),
        "Transparent numbers build trust; sharing them shows you stand behind them.",
        "Our impact report is out: halfway to our 2030 climate goal, with the numbers.",
        "Our yearly impact report is out. We are halfway to our 2030 climate goal, and the "
        "report is open about where we are behind (business travel) and what we change next.",
        3,
    ),
    DemoItem(
        "open-day",
        ContentItem.Kind.LINK,
        "Northwind Open Day in London, 14 June",
        f"{SITE}/events/open-day-london",
        "Meet the teams, see the product, talks every hour. Free, registration required.",
        ("events", "careers"),
        "Events fill up through personal invitations.",
        "Come to our Open Day in London on 14 June: meet the teams, talks every hour.",
        "On 14 June we open our London office to everyone curious about what we do: meet "
        "the teams, watch the product being built, talks every hour. Free, with registration.",
        2,
    ),
    DemoItem(
        "interns",
        ContentItem.Kind.TEXT,
        "Our summer interns shipped to production in week two",
        "",
        "Twelve interns, four teams, one demo day.",
        ("careers", "life-at-northwind"),
        "Shows students and graduates what a first job here looks like.",
        "Our 12 summer interns shipped to production in their second week. Applications for "
        "next year open in autumn.",
        "Twelve summer interns joined four of our teams this year, and every one of them "
        "shipped to production in their second week. Next year's applications open in autumn.",
        11,
    ),
    DemoItem(
        "volunteering",
        ContentItem.Kind.IMAGE,
        "Volunteering day: 180 of us planted 2,000 trees",
        f"{SITE}/life/volunteering-day",
        "Photos from our volunteering day with local forestry groups.",
        ("life-at-northwind", "sustainability"),
        "Photos of people, not products, get the most engagement.",
        "180 of us, 2,000 trees, one very muddy volunteering day.",
        "Last Friday 180 Northwinders planted 2,000 trees with local forestry groups near "
        "Seattle, London and Berlin. Muddy boots, good company.",
        8,
        image_url=f"{SITE}/media/volunteering-trees.jpg",
    ),
    DemoItem(
        "customer-story",
        ContentItem.Kind.LINK,
        "How a family bakery grew online sales fivefold",
        f"{SITE}/customers/brot-und-butter",
        "A customer story from Hamburg, with numbers and photos.",
        ("product",),
        "Customer stories show what our work changes for real people.",
        "A family bakery in Hamburg grew its online sales fivefold. Their story:",
        "A family bakery in Hamburg grew its online sales fivefold in a year. I love this "
        "story because it is exactly why we build what we build.",
        18,
    ),
    DemoItem(
        "accessibility",
        ContentItem.Kind.LINK,
        "Accessibility is a feature: what we learned auditing our storefronts",
        f"{SITE}/engineering/accessibility-audit",
        "WCAG 2.2 findings and the fixes that helped every shopper.",
        ("engineering", "product"),
        "Accessibility posts reach designers, engineers and product people alike.",
        "We audited our storefronts against WCAG 2.2. What we fixed, and what it changed.",
        "We audited our storefronts against WCAG 2.2. The fixes helped every shopper, not "
        "only those using assistive technology: checkout completion went up 6%.",
        5,
    ),
    DemoItem(
        "podcast",
        ContentItem.Kind.VIDEO,
        "Podcast: our CEO on building a calm company",
        "https://video.northwind.example/podcast/calm-company",
        "A 40-minute conversation on remote work, focus and growth.",
        ("life-at-northwind",),
        "Leadership interviews help candidates understand our culture.",
        "Our CEO on building a calm company: remote work, focus and sustainable growth.",
        "A 40-minute conversation with our CEO on building a calm company: remote work, "
        "focus time, and growing without burning people out.",
        13,
    ),
    DemoItem(
        "sales-webinar",
        ContentItem.Kind.LINK,
        "Webinar: omnichannel retail in 2026",
        f"{SITE}/events/webinar-omnichannel",
        "A live webinar for retailers, with Q&A.",
        ("events", "product"),
        "Prospects sign up when someone they know invites them.",
        "Join our live webinar on omnichannel retail in 2026, with open Q&A.",
        "Retailers in my network: our live webinar on omnichannel retail in 2026 covers "
        "what we see across thousands of shops, with open Q&A at the end.",
        4,
        departments=("Sales", "Customer Success", "Marketing"),
    ),
    DemoItem(
        "roadmap-internal",
        ContentItem.Kind.TEXT,
        "Internal: next quarter's roadmap highlights (do not share)",
        "",
        "For everyone at Northwind: what we build next quarter and why.",
        ("product",),
        "Read it to know what is coming; it stays inside the company.",
        "Roadmap highlights for next quarter.",
        "Roadmap highlights for next quarter.",
        1,
        internal_only=True,
    ),
    DemoItem(
        "security",
        ContentItem.Kind.LINK,
        "Our security practices, now ISO 27001 certified",
        f"{SITE}/trust/iso-27001",
        "What the certification covers and how we keep customer data safe.",
        ("product", "engineering"),
        "Trust matters to customers; hearing it from employees makes it credible.",
        "We are now ISO 27001 certified. How we keep our customers' data safe:",
        "We are now ISO 27001 certified. The certificate is the visible part; the work "
        "behind it is a security culture the whole company takes part in.",
        10,
    ),
)


@dataclass(frozen=True)
class DemoSubmission:
    title: str
    url: str
    kind: str
    description: str
    text: str
    author_department: str
    topic: str


SUBMISSIONS = (
    DemoSubmission(
        "Meetup: our Berlin office hosts Python Users Berlin",
        "https://www.meetup.example/python-users-berlin/events/summer",
        ContentItem.Kind.LINK,
        "We host the monthly Python meetup next Thursday; three talks, pizza.",
        "Python Users Berlin comes to our office next Thursday: three talks and pizza. "
        "See you there?",
        "Engineering",
        "events",
    ),
    DemoSubmission(
        "My first month in Customer Success",
        "",
        ContentItem.Kind.TEXT,
        "A short story about onboarding, shadowing calls and the first happy customer.",
        "One month in Customer Success at Northwind: shadowing, my first solved case, and "
        "a team that answers every question.",
        "Customer Success",
        "life-at-northwind",
    ),
)


@dataclass(frozen=True)
class DemoCampaign:
    slug: str
    name: str
    description: str
    starts_in_days: int
    lasts_days: int
    departments: tuple[str, ...]
    items: tuple[str, ...]
    goals: dict[str, int]


CAMPAIGNS = (
    DemoCampaign(
        "hiring-spring",
        "Spring hiring push",
        "We have 14 open roles in Engineering and Product. Share the openings and the "
        "stories behind them: people join people.",
        -12,
        26,
        ("Engineering", "Product", "People & Culture"),
        ("backend-jobs", "design-jobs", "build-cache", "postgres-talk", "interns"),
        {
            "goal_shares": 60,
            "goal_unique_clicks": 2500,
            "goal_participants": 30,
            "goal_reach": 40000,
        },
    ),
    DemoCampaign(
        "sustainability-week",
        "Sustainability week",
        "A week to tell what we do for the climate, with numbers we can stand behind.",
        5,
        7,
        ("Operations", "Marketing", "Executive"),
        ("solar-roof", "impact-report", "volunteering"),
        {"goal_shares": 60, "goal_participants": 25},
    ),
)


@dataclass
class AdvocacySeedResult:
    created: bool
    topics: int = 0
    items: int = 0
    campaigns: int = 0
    shares: int = 0
    clicks: int = 0
    seconds: float = 0.0


def suggested_texts(demo: DemoItem) -> dict[str, str]:
    """The suggested text per network, each checked against the network's limit."""
    texts = {
        network: demo.long if network in {"linkedin", "facebook"} else demo.short
        for network in SUGGESTED_NETWORKS
    }
    for network, text in texts.items():
        fits = check(network, text, demo.url)
        if not fits.ok:
            raise ValueError(f"{demo.key}: {network} text is {fits.over_by} over the limit")
    return texts


def _code(rng: random.Random, taken: set[str]) -> str:
    while True:
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


def _visitor(rng: random.Random) -> str:
    return hashlib.sha256(rng.randbytes(16)).hexdigest()


def _device(rng: random.Random, network: str) -> str:
    mobile = 0.75 if network in {"whatsapp", "x", "bluesky", "facebook"} else 0.45
    roll = rng.random()
    if roll < mobile:
        return Click.Device.MOBILE
    if roll < mobile + 0.08:
        return Click.Device.TABLET
    return Click.Device.DESKTOP


def _people() -> tuple[User, list[User]]:
    comms = User.objects.get(email=COMMS_EMAIL)
    employees = list(User.objects.filter(is_active=True, department__isnull=False).order_by("pk"))
    return comms, employees


def _items(comms: User, topics: dict[str, Topic], now: datetime.datetime) -> dict[str, ContentItem]:
    departments = {d.name: d for d in Department.objects.all()}
    items: dict[str, ContentItem] = {}
    for demo in ITEMS:
        published = now - datetime.timedelta(days=demo.days_ago, hours=3)
        item = ContentItem.objects.create(
            kind=demo.kind,
            status=ContentItem.Status.PUBLISHED,
            title=demo.title,
            description=demo.description,
            url=demo.url,
            site_name="Northwind" if demo.url else "",
            image_url=demo.image_url,
            featured=demo.featured,
            why_share=demo.why,
            suggested_texts={} if demo.internal_only else suggested_texts(demo),
            internal_only=demo.internal_only,
            audience_everyone=not demo.departments,
            created_by=comms,
            published_at=published,
        )
        item.topics.set([topics[slug] for slug in demo.topics])
        if demo.departments:
            item.departments.set([departments[name] for name in demo.departments])
        items[demo.key] = item
    return items


def _submissions(employees: list[User], topics: dict[str, Topic], rng: random.Random) -> None:
    departments = dict(Department.objects.values_list("name", "pk"))
    for demo in SUBMISSIONS:
        department_id = departments.get(demo.author_department)
        author = rng.choice([p for p in employees if p.department_id == department_id] or employees)
        item = ContentItem.objects.create(
            kind=demo.kind,
            status=ContentItem.Status.PENDING,
            title=demo.title,
            description=demo.description,
            url=demo.url,
            suggested_texts={
                network: demo.text
                for network in SUGGESTED_NETWORKS
                if check(network, demo.text, demo.url).ok
            },
            submitted_by=author,
            created_by=author,
        )
        item.topics.set([topics[demo.topic]])


def _campaigns(
    comms: User, items: dict[str, ContentItem], now: datetime.datetime
) -> list[Campaign]:
    departments = {d.name: d for d in Department.objects.all()}
    created = []
    for demo in CAMPAIGNS:
        starts = (now + datetime.timedelta(days=demo.starts_in_days)).replace(
            minute=0, second=0, microsecond=0
        )
        campaign = Campaign.objects.create(
            slug=demo.slug,
            name=demo.name,
            description=demo.description,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(days=demo.lasts_days),
            audience_everyone=False,
            created_by=comms,
            **demo.goals,
        )
        campaign.departments.set(
            [departments[name] for name in demo.departments if name in departments]
        )
        campaign.items.set([items[key] for key in demo.items])
        created.append(campaign)
    return created


def _history(
    rng: random.Random,
    employees: list[User],
    items: dict[str, ContentItem],
    active: Campaign,
    now: datetime.datetime,
) -> tuple[int, int]:
    """Shares by ``SHARERS`` people over ``HISTORY_DAYS`` days, their tracked links, the
    clicks on them (a few from preview bots) and engagement of some API shares."""
    in_campaign = set(active.items.values_list("pk", flat=True))
    campaign_departments = set(active.departments.values_list("pk", flat=True))
    audience = [p for p in employees if p.department_id in campaign_departments]
    others = [p for p in employees if p.department_id not in campaign_departments]
    sharers = rng.sample(audience, min(len(audience), SHARERS * 3 // 4))
    sharers += rng.sample(others, min(len(others), SHARERS - len(sharers)))
    shareable = [item for key, item in items.items() if not item.internal_only and item.url]
    taken = set(TrackedLink.objects.values_list("code", flat=True))
    networks, methods, weights = zip(*HABITS, strict=True)
    plans: list[tuple[User, ContentItem, str, str, datetime.datetime]] = []
    for rank, person in enumerate(sharers):
        # A few enthusiasts share a lot; most share once or twice.
        count = max(1, int(rng.paretovariate(1.6)) + (2 if rank < 4 else 0))
        for _n in range(min(count, 9)):
            # The running campaign's content is what people are asked to share.
            item = rng.choices(
                shareable, weights=[3 if i.pk in in_campaign else 1 for i in shareable]
            )[0]
            published = item.published_at or now
            earliest = max(published, now - datetime.timedelta(days=HISTORY_DAYS))
            span = (now - earliest).total_seconds()
            at = earliest + datetime.timedelta(seconds=rng.uniform(0.05, 0.95) * span)
            index = rng.choices(range(len(HABITS)), weights=weights)[0]
            plans.append((person, item, networks[index], methods[index], at))
    links = [
        TrackedLink(
            code=_code(rng, taken),
            destination=with_utm(
                item.url,
                source=network,
                campaign=active.slug
                if item.pk in in_campaign and active.starts_at <= at < active.ends_at
                else "library",
            ),
            user=person,
            network=network,
        )
        for person, item, network, _method, at in plans
    ]
    TrackedLink.objects.bulk_create(links, batch_size=500)
    shares: list[Share] = []
    for (person, item, network, method, at), link in zip(plans, links, strict=True):
        counted = active.starts_at <= at < active.ends_at and item.pk in in_campaign
        api = method == Share.Method.API
        failed = api and rng.random() < 0.03
        shares.append(
            Share(
                user=person,
                item=item,
                campaign=active if counted else None,
                network=network,
                method=method,
                status=Share.Status.FAILED
                if failed
                else (Share.Status.PUBLISHED if api else Share.Status.OPENED),
                text=(item.suggested_texts or {}).get(network) or item.title,
                link=link,
                attempts=1 if api else 0,
                published_at=None if failed else at,
                remote_id="" if failed or not api else f"demo-{link.code}",
                last_error="The network did not answer in time; try again later." if failed else "",
                created_at=at,
            )
        )
    Share.objects.bulk_create(shares, batch_size=500)
    for row in shares:
        row.created_at = row.published_at or now
    Share.objects.bulk_update(shares, ["created_at"], batch_size=500)
    clicks: list[Click] = []
    metrics: list[ShareMetric] = []
    for row in shares:
        if row.status == Share.Status.FAILED:
            continue
        assert row.link is not None and row.published_at is not None
        clicks.extend(_clicks(rng, row, now))
        if row.method == Share.Method.API and rng.random() < 0.7:
            metrics.extend(_metrics(rng, row, now))
    Click.objects.bulk_create(clicks, batch_size=1000)
    ShareMetric.objects.bulk_create(metrics, batch_size=1000)
    return len(shares), len(clicks)


def _clicks(rng: random.Random, share: Share, now: datetime.datetime) -> list[Click]:
    """Visits of one share's link: most in the first two days, a few repeat visitors the
    same day, and the network's preview bot when the link was posted."""
    assert share.link is not None and share.published_at is not None
    posted = share.published_at
    age = (now - posted).total_seconds()
    rows = (
        [
            Click(
                link=share.link,
                at=posted + datetime.timedelta(seconds=rng.uniform(1, 20)),
                network=share.network,
                referrer_host="",
                device_class=Click.Device.BOT,
                visitor_hash=_visitor(rng),
                is_bot=True,
                bot_name=PREVIEW_BOTS[share.network],
            )
        ]
        if rng.random() < 0.5
        else []
    )
    audience = 60 if share.network == "linkedin" else 25
    visitors = int(rng.expovariate(1 / audience) * min(1.0, age / 172800 + 0.2))
    for _n in range(min(visitors, 250)):
        delay = min(age - 1, rng.expovariate(1 / 28800)) if age > 1 else 0
        at = posted + datetime.timedelta(seconds=max(0.0, delay))
        visitor = _visitor(rng)
        device = _device(rng, share.network)
        referrer = rng.choice(REFERRERS[share.network])
        for repeat in range(2 if rng.random() < 0.1 else 1):
            rows.append(
                Click(
                    link=share.link,
                    at=min(now, at + datetime.timedelta(minutes=7 * repeat)),
                    network=share.network,
                    referrer_host=referrer,
                    device_class=device,
                    visitor_hash=visitor,
                )
            )
    return rows


def _metrics(rng: random.Random, share: Share, now: datetime.datetime) -> list[ShareMetric]:
    """Engagement as each network reports it: X and LinkedIn give impressions, Mastodon
    and Bluesky do not; fetched a few times since the share was posted."""
    assert share.published_at is not None
    gives_impressions = share.network in {"x", "linkedin"}
    base = rng.randint(300, 4000) if share.network == "linkedin" else rng.randint(80, 1500)
    rows = []
    fetches = [
        share.published_at + datetime.timedelta(hours=hours)
        for hours in (1, 6, 24, 72)
        if share.published_at + datetime.timedelta(hours=hours) < now
    ]
    for step, at in enumerate(fetches, start=1):
        grown = base * step // len(fetches)
        rows.append(
            ShareMetric(
                share=share,
                fetched_at=at,
                likes=grown // rng.randint(25, 60),
                reposts=grown // rng.randint(150, 400),
                replies=grown // rng.randint(200, 600),
                quotes=grown // 900 if share.network == "bluesky" else None,
                impressions=grown if gives_impressions else None,
                clicks=None,
            )
        )
    return rows


@transaction.atomic
def _seed(now: datetime.datetime) -> AdvocacySeedResult:
    rng = random.Random(SEED)
    comms, employees = _people()
    topics = {}
    for name, slug in TOPICS:
        topics[slug], _created = Topic.objects.get_or_create(slug=slug, defaults={"name": name})
    items = _items(comms, topics, now)
    _submissions(employees, topics, rng)
    campaigns = _campaigns(comms, items, now)
    shares, clicks = _history(rng, employees, items, campaigns[0], now)
    result = AdvocacySeedResult(
        created=True,
        topics=len(topics),
        items=len(items),
        campaigns=len(campaigns),
        shares=shares,
        clicks=clicks,
    )
    audit_record(
        action="advocacy.demo_seeded",
        target_label="Northwind",
        details={"items": result.items, "shares": shares, "clicks": clicks},
    )
    return result


def seed_advocacy(*, out: IO[str] | None = None) -> AdvocacySeedResult:
    """Seed Northwind's advocacy demo once; a second run changes nothing. Needs the demo
    company (``people.seed``)."""
    started = time.perf_counter()
    if not User.objects.filter(email=COMMS_EMAIL).exists():
        if out is not None:
            out.write("The advocacy demo needs the Northwind demo company; nothing was added.\n")
        return AdvocacySeedResult(created=False)
    if Campaign.objects.filter(slug=CAMPAIGNS[0].slug).exists():
        if out is not None:
            out.write("The advocacy demo is already here; nothing was added.\n")
        return AdvocacySeedResult(created=False)
    result = _seed(timezone.now())
    result.seconds = time.perf_counter() - started
    if out is not None:
        out.write(
            f"Advocacy demo: {result.items} library items, {result.campaigns} campaigns, "
            f"{result.shares} shares and {result.clicks} clicks ({result.seconds:.1f} s).\n"
        )
    return result
