"""The demo company comes with a believable feed, written through the services."""

from __future__ import annotations

import io

from rallypoint.feed.models import Comment, Post, Reaction
from rallypoint.feed.seed import POSTS, demo_feed_seed
from rallypoint.feed.selectors import posts_visible_to
from rallypoint.people.models import User
from rallypoint.people.seed import seed_demo_company
from rallypoint.spaces.models import Space


def test_the_demo_company_has_posts_comments_and_reactions(db):
    seed_demo_company(people=260, out=io.StringIO())

    assert Post.objects.count() == len(POSTS)
    assert Comment.objects.count() == sum(len(p.comments) for p in POSTS)
    assert Reaction.objects.filter(post__isnull=False).count() >= len(POSTS)
    company = Space.objects.get(kind=Space.Kind.COMPANY)
    assert Post.objects.filter(space=company, author__role=User.Role.COMMUNICATIONS).count() == 2

    employee = User.objects.get(email="admin@northwind.example")
    newest = list(posts_visible_to(employee)[:2])
    assert newest[0].created_at > newest[1].created_at
    managers_circle = Space.objects.get(name="Managers' circle")
    assert Post.objects.filter(space=managers_circle).exists()
    outsider = User.objects.filter(is_active=True, direct_reports__isnull=True).exclude(
        space_memberships__space=managers_circle
    )[0]
    assert not posts_visible_to(outsider).filter(space=managers_circle).exists()

    assert demo_feed_seed() == []  # once only
    assert Post.objects.count() == len(POSTS)
