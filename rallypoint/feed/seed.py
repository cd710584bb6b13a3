"""Northwind's feed for the demo: posts, comments and reactions written through the services.

Runs when the demo company is seeded (``people.signals_api.demo_company_seeded``), after
the spaces app has made the spaces: receivers run in the order of ``INSTALLED_APPS``.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from rallypoint.feed import services
from rallypoint.feed.models import REACTIONS, Comment, Post
from rallypoint.people.models import User
from rallypoint.spaces.models import Space

SEED = 2207


@dataclass(frozen=True)
class DemoPost:
    space: str  # "company", a department name, or a group name
    author: str  # "comms", "ceo", "head" (of the department) or "member" (of the group)
    hours_ago: int
    body: str
    comments: tuple[str, ...] = ()


POSTS = (
    DemoPost(
        "company",
        "comms",
        2,
        "## Q4 town hall: Thursday 16:00 UTC\n\nOur CEO shares the results of the year and "
        "the plan for next year. Questions welcome in the comments — we answer the top "
        "ten live.\n\n- Seattle: the atrium\n- London and Berlin: the big rooms\n"
        "- Singapore: recording on Friday morning",
        ("Will the recording have captions?", "Looking forward to the roadmap part."),
    ),
    DemoPost(
        "company",
        "comms",
        26,
        "**Welcome to our new joiners this month!** Say hello in your department space and "
        "check the *People* page to see who joined.",
        ("Welcome everyone!",),
    ),
    DemoPost(
        "Engineering",
        "head",
        5,
        "The new build cache cut CI times by **40 %**. Thanks to the Platform team for "
        "a quiet, careful rollout. Details in the engineering handbook.",
        ("Huge! My pipeline went from 18 to 11 minutes.", "Is it on for the mobile apps too?"),
    ),
    DemoPost(
        "Sales",
        "head",
        9,
        "Record quarter for the EMEA team 🎉 — 112 % of target. Thank you for the late "
        "calls and the early flights.",
        ("Team effort all the way.",),
    ),
    DemoPost(
        "Marketing",
        "head",
        30,
        "The spring campaign brief is ready for review. Comments by Friday, please: "
        "what would make *you* share it?",
    ),
    DemoPost(
        "Running club",
        "member",
        7,
        "Lunch run tomorrow, 5 km along the waterfront, easy pace. Meet at reception at 12:10.",
        ("I'm in!", "Count me in, if it doesn't rain."),
    ),
    DemoPost(
        "Book club",
        "member",
        50,
        "This month: *The Remains of the Day*. Discussion on the last Thursday, "
        "17:30, room 4B and online.",
        ("Halfway through, loving it.",),
    ),
    DemoPost(
        "Managers' circle",
        "ceo",
        20,
        "Reminder: calibration notes are due next Wednesday. Keep them factual and "
        "specific — examples beat adjectives.",
        ("Is there a template this year?",),
    ),
)


def _members(space: Space) -> list[User]:
    return list(User.objects.filter(space_memberships__space=space, is_active=True).order_by("pk"))


def _author(post: DemoPost, space: Space, people: list[User], rng: random.Random) -> User:
    if post.author == "comms":
        return next(p for p in people if p.role == User.Role.COMMUNICATIONS)
    if post.author == "ceo":
        return next(p for p in people if p.manager_id is None)
    members = _members(space)
    if post.author == "head":
        ids = {m.pk for m in members}
        return next((m for m in members if m.manager_id not in ids), members[0])
    return rng.choice(members)


def _space(name: str) -> Space:
    if name == "company":
        return Space.objects.get(kind=Space.Kind.COMPANY)
    department = Space.objects.filter(kind=Space.Kind.DEPARTMENT, department__name=name).first()
    return department or Space.objects.get(kind__in=Space.GROUP_KINDS, name=name)


def _readers(space: Space, rng: random.Random, count: int) -> list[User]:
    pool = _members(space)
    return rng.sample(pool, min(count, len(pool)))


@transaction.atomic
def demo_feed_seed() -> list[Post]:
    """Write Northwind's demo posts once; needs the demo people and spaces."""
    if Post.objects.exists():
        return []
    rng = random.Random(SEED)
    people = list(User.objects.filter(is_active=True).order_by("pk"))
    now = timezone.now()
    created: list[Post] = []
    for demo in POSTS:
        space = _space(demo.space)
        post = services.post_create(
            author=_author(demo, space, people, rng), space=space, body=demo.body
        )
        when = now - datetime.timedelta(hours=demo.hours_ago)
        Post.objects.filter(pk=post.pk).update(created_at=when)
        voices = _readers(space, rng, len(demo.comments) + 6)
        for minutes, (text, commenter) in enumerate(zip(demo.comments, voices, strict=False)):
            comment = services.comment_create(author=commenter, post=post, body=text)
            later = when + datetime.timedelta(minutes=15 * (minutes + 1))
            Comment.objects.filter(pk=comment.pk).update(created_at=later)
        for reader in voices:
            services.reaction_toggle(user=reader, post=post, emoji=rng.choice(list(REACTIONS)))
        created.append(post)
    return created
