"""Spaces, their members, join requests, invitations and the spaces settings.

Who may see what is decided in ``selectors.py`` (the table ``KIND_ACCESS``), never here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rallypoint.core.models import TimestampedModel


class Space(TimestampedModel):
    """A place where people talk: the company, a department, a location, a team or a group."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        DEPARTMENT = "department", _("Department")
        LOCATION = "location", _("Location")
        TEAM = "team", _("Team")
        OPEN = "open", _("Open group")
        PRIVATE = "private", _("Private group")
        SECRET = "secret", _("Secret group")

    DIRECTORY_KINDS = frozenset({Kind.COMPANY, Kind.DEPARTMENT, Kind.LOCATION, Kind.TEAM})
    GROUP_KINDS = frozenset({Kind.OPEN, Kind.PRIVATE, Kind.SECRET})

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=140, unique=True)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    department = models.ForeignKey(
        "people.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("department"),
    )
    location = models.ForeignKey(
        "people.Location",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("location"),
    )
    team = models.ForeignKey(
        "people.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("team"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("space")
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="company"), name="space_one_company_space"
            ),
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(department__isnull=False),
                name="space_one_per_department",
            ),
            models.UniqueConstraint(
                fields=["location"],
                condition=Q(location__isnull=False),
                name="space_one_per_location",
            ),
            models.UniqueConstraint(
                fields=["team"], condition=Q(team__isnull=False), name="space_one_per_team"
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "company",
                        "department",
                        "location",
                        "team",
                        "open",
                        "private",
                        "secret",
                    ]
                ),
                name="space_kind_known",
            ),
            # A directory link only on the space of that kind (it may go NULL when the
            # department, location or team is deleted; the space is then archived).
            models.CheckConstraint(
                condition=Q(department__isnull=True) | Q(kind="department"),
                name="space_department_only_on_department_space",
            ),
            models.CheckConstraint(
                condition=Q(location__isnull=True) | Q(kind="location"),
                name="space_location_only_on_location_space",
            ),
            models.CheckConstraint(
                condition=Q(team__isnull=True) | Q(kind="team"),
                name="space_team_only_on_team_space",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_directory(self) -> bool:
        return self.kind in self.DIRECTORY_KINDS

    @property
    def is_group(self) -> bool:
        return self.kind in self.GROUP_KINDS

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class SpaceMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MODERATOR = "moderator", _("Moderator")
        MEMBER = "member", _("Member")

    class Source(models.TextChoices):
        DIRECTORY = "directory", _("Directory")
        MANUAL = "manual", _("Joined or added")

    MODERATING_ROLES = frozenset({Role.OWNER, Role.MODERATOR})

    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("space")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="space_memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.MANUAL
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        ordering = ["space", "user"]
        verbose_name = _("space membership")
        constraints = [
            models.UniqueConstraint(fields=["space", "user"], name="space_membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=["owner", "moderator", "member"]),
                name="space_membership_role_known",
            ),
            models.CheckConstraint(
                condition=Q(source__in=["directory", "manual"]),
                name="space_membership_source_known",
            ),
        ]
        indexes = [models.Index(fields=["user", "space"], name="space_membership_by_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.space}"


class SpaceJoinRequest(models.Model):
    """Someone asks to join a private group; a moderator approves or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="join_requests", verbose_name=_("space")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="space_join_requests",
        verbose_name=_("person"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("join request")
        constraints = [
            models.UniqueConstraint(
                fields=["space", "user"],
                condition=Q(status="pending"),
                name="space_join_request_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.space} ({self.status})"


class SpaceInvitation(models.Model):
    """A moderator invites someone into a group; the person accepts or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("space")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="space_invitations",
        verbose_name=_("person"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("invited"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("space invitation")
        constraints = [
            models.UniqueConstraint(
                fields=["space", "user"],
                condition=Q(status="pending"),
                name="space_invitation_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.space} ({self.status})"


class SpaceSettings(models.Model):
    """Company-wide settings of spaces: one row (id 1), changed by administrators."""

    members_can_create_groups = models.BooleanField(
        _("members can create groups"),
        default=True,
        help_text=_("Everyone may create open and private groups. Off: only administrators."),
    )

    class Meta:
        verbose_name = _("spaces settings")
        verbose_name_plural = _("spaces settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="space_settings_singleton")]

    def __str__(self) -> str:
        return str(_("Spaces settings"))
