"""Index every saved post, comment, person and space (connected in ``SearchConfig.ready``).

Signals catch every write path that saves a model; deleting a row deletes its document
through the foreign keys. ``indexing.search_reindex`` covers writes that skip signals.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from rallypoint.feed.models import Comment, Post
from rallypoint.people.models import Department, Location, Team, User
from rallypoint.people.signals_api import demo_company_seeded, people_changed
from rallypoint.search import indexing
from rallypoint.spaces.models import Space


@receiver(post_save, sender=Post, dispatch_uid="rallypoint.search.post_saved")
def on_post_saved(sender: Any, instance: Post, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        indexing.post_index(instance)


@receiver(post_save, sender=Comment, dispatch_uid="rallypoint.search.comment_saved")
def on_comment_saved(sender: Any, instance: Comment, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        indexing.comment_index(instance)


@receiver(post_save, sender=User, dispatch_uid="rallypoint.search.person_saved")
def on_person_saved(
    sender: Any,
    instance: User,
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    # Signing in saves ``last_login`` only: nothing the index holds.
    if raw or (update_fields is not None and not indexing.PERSON_FIELDS & set(update_fields)):
        return
    indexing.person_index(instance)


@receiver(post_save, sender=Space, dispatch_uid="rallypoint.search.space_saved")
def on_space_saved(sender: Any, instance: Space, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        indexing.space_index(instance)


def _members_changed(field: str, instance: Any, created: bool, raw: bool) -> None:
    if raw or created:
        return
    indexing.people_index(User.objects.filter(**{field: instance}).values_list("pk", flat=True))


@receiver(post_save, sender=Department, dispatch_uid="rallypoint.search.department_saved")
def on_department_saved(sender: Any, instance: Department, created: bool, **kwargs: Any) -> None:
    _members_changed("department", instance, created, kwargs.get("raw", False))


@receiver(post_save, sender=Location, dispatch_uid="rallypoint.search.location_saved")
def on_location_saved(sender: Any, instance: Location, created: bool, **kwargs: Any) -> None:
    _members_changed("location", instance, created, kwargs.get("raw", False))


@receiver(post_save, sender=Team, dispatch_uid="rallypoint.search.team_saved")
def on_team_saved(sender: Any, instance: Team, created: bool, **kwargs: Any) -> None:
    _members_changed("team", instance, created, kwargs.get("raw", False))


@receiver(people_changed, dispatch_uid="rallypoint.search.people_changed")
def on_people_changed(sender: Any, user_ids: list[int], **kwargs: Any) -> None:
    # The CSV import creates people, and the directory reconcile creates spaces, with
    # ``bulk_create``: no ``post_save`` for them. This signal follows both (the spaces
    # receiver runs first, by app order).
    indexing.people_index(user_ids)
    indexing.spaces_index_missing()


@receiver(demo_company_seeded, dispatch_uid="rallypoint.search.demo_company_seeded")
def on_demo_company_seeded(sender: Any, **kwargs: Any) -> None:
    # The demo backdates posts and comments with ``update()``; rebuild once at the end.
    indexing.search_reindex()
