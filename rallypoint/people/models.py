from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rallypoint.core.models import TimestampedModel

TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones())]


class Department(TimestampedModel):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")

    def __str__(self) -> str:
        return self.name


class Location(TimestampedModel):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=120, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="UTC"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("location")

    def __str__(self) -> str:
        return self.name


class Team(TimestampedModel):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(max_length=120)
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="teams", verbose_name=_("department")
    )

    class Meta:
        ordering = ["department__name", "name"]
        verbose_name = _("team")
        constraints = [
            models.UniqueConstraint(fields=["department", "slug"], name="team_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("role", User.Role.EMPLOYEE)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields["role"] = User.Role.ADMINISTRATOR
        return self._create(email, password, **fields)


class User(AbstractBaseUser):
    """A person in the company, keyed by email. Holds the profile too.

    "Manager" is not a stored role: anyone with direct reports is one
    (see ``is_manager``). Stored roles are administrator, communications
    manager and employee.
    """

    class Role(models.TextChoices):
        ADMINISTRATOR = "admin", _("Administrator")
        COMMUNICATIONS = "comms", _("Communications manager")
        EMPLOYEE = "employee", _("Employee")

    email = models.EmailField(_("email address"), unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    role = models.CharField(
        _("role"), max_length=16, choices=Role.choices, default=Role.EMPLOYEE, db_index=True
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    display_name = models.CharField(_("display name"), max_length=120)
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("department"),
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("team"),
    )
    location = models.ForeignKey(
        Location,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("location"),
    )
    manager = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_reports",
        verbose_name=_("manager"),
    )
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    birthday_month = models.PositiveSmallIntegerField(
        _("birthday month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    birthday_day = models.PositiveSmallIntegerField(
        _("birthday day"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    birthday_visible = models.BooleanField(
        _("show my birthday"),
        default=False,
        help_text=_("Colleagues see the month and day only, and only if you opt in."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="UTC"
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    avatar = models.ImageField(_("avatar"), upload_to="avatars/%Y/%m/", blank=True)
    bio = models.TextField(_("short bio"), max_length=600, blank=True)
    linkedin = models.CharField(_("LinkedIn profile"), max_length=200, blank=True)
    x_handle = models.CharField(_("X handle"), max_length=60, blank=True)
    mastodon = models.CharField(_("Mastodon handle"), max_length=200, blank=True)
    bluesky = models.CharField(_("Bluesky handle"), max_length=200, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=~Q(manager=models.F("pk")), name="user_not_own_manager"
            ),
            models.CheckConstraint(
                condition=(
                    Q(birthday_month__isnull=True, birthday_day__isnull=True)
                    | Q(birthday_month__isnull=False, birthday_day__isnull=False)
                ),
                name="user_birthday_month_and_day",
            ),
        ]
        indexes = [models.Index(fields=["department", "display_name"])]

    def __str__(self) -> str:
        return self.display_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()
        if (self.birthday_month is None) != (self.birthday_day is None):
            raise ValidationError(_("Give both the month and the day of the birthday, or neither."))
        if self.birthday_month and self.birthday_day:
            import calendar

            days = calendar.monthrange(2000, self.birthday_month)[1]  # 2000 is a leap year
            if self.birthday_day > days:
                raise ValidationError({"birthday_day": _("That month has no such day.")})
        if self.manager_id is not None and self.manager_id == self.pk:
            raise ValidationError({"manager": _("Nobody can be their own manager.")})

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name.split(" ")[0] if self.display_name else self.email

    @property
    def is_administrator(self) -> bool:
        return self.is_active and self.role == self.Role.ADMINISTRATOR

    @property
    def is_communications(self) -> bool:
        return self.is_active and self.role in {self.Role.ADMINISTRATOR, self.Role.COMMUNICATIONS}

    @property
    def is_manager(self) -> bool:
        return self.is_active and self.direct_reports.filter(is_active=True).exists()

    # The Django admin is for administrators only.
    @property
    def is_staff(self) -> bool:
        return self.is_administrator

    @property
    def is_superuser(self) -> bool:
        return self.is_administrator

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return self.is_administrator

    def has_perms(self, perm_list: Any, obj: Any = None) -> bool:
        return self.is_administrator

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_administrator

    @property
    def initials(self) -> str:
        parts = [p for p in (self.display_name or self.email).split() if p]
        return "".join(p[0] for p in parts[:2]).upper()


class Invitation(TimestampedModel):
    """An administrator's invitation for one person to set a password and sign in.

    The secret token is sent by email only; the database keeps its SHA-256.
    """

    email = models.EmailField(_("email address"), db_index=True)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("person")
    )
    invited_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("invited by")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")

    def __str__(self) -> str:
        return self.email

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
