"""Writes to people: profile edits, avatars and roles."""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from rallypoint.core.audit import audit_record
from rallypoint.people.models import User
from rallypoint.people.signals_api import people_changed_send

# Fields a person edits on their own profile.
PERSONAL_FIELDS = (
    "display_name",
    "pronouns",
    "bio",
    "birthday_month",
    "birthday_day",
    "birthday_visible",
    "time_zone",
    "language",
    "linkedin",
    "x_handle",
    "mastodon",
    "bluesky",
)
# Fields that describe the person's place in the company: administrators edit them.
ORGANISATION_FIELDS = ("job_title", "department", "team", "location", "manager", "hire_date")
# Fields whose change moves a person between spaces that follow the directory.
DIRECTORY_FIELDS = frozenset({"department", "team", "location", "is_active"})

AVATAR_SIZE = 512
AVATAR_MAX_PIXELS = 40_000_000
AVATAR_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}


# ---------------------------------------------------------------- social handles

_LINKEDIN = re.compile(
    r"^(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/in/([A-Za-z0-9_%-]{2,100})/?(?:[?#].*)?$",
    re.IGNORECASE,
)
_X = re.compile(r"^(?:(?:https?://)?(?:www\.)?(?:x|twitter)\.com/|@)?([A-Za-z0-9_]{1,15})/?$")
_DOMAIN_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = rf"{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})*\.[a-z][a-z0-9-]*[a-z0-9]"
_MASTODON = re.compile(rf"^@?([A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*)@({_DOMAIN})$", re.IGNORECASE)
_MASTODON_URL = re.compile(
    rf"^https?://({_DOMAIN})/@([A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*)/?$", re.IGNORECASE
)
_BLUESKY = re.compile(rf"^@?({_DOMAIN})$")
_BLUESKY_URL = re.compile(rf"^https?://bsky\.app/profile/@?({_DOMAIN})/?$")


def linkedin_normalize(value: str) -> str:
    """A LinkedIn profile address, stored as ``https://www.linkedin.com/in/<name>``."""
    value = value.strip()
    if not value:
        return ""
    match = _LINKEDIN.match(value)
    if not match:
        raise ValidationError(
            _("Enter your LinkedIn profile address, like https://www.linkedin.com/in/your-name."),
            code="invalid",
        )
    return f"https://www.linkedin.com/in/{match.group(1)}"


def x_handle_normalize(value: str) -> str:
    """An X handle, stored as ``@name``."""
    value = value.strip()
    if not value:
        return ""
    match = _X.match(value)
    if not match:
        raise ValidationError(
            _("Enter your X handle, like @yourname (letters, digits and _, up to 15)."),
            code="invalid",
        )
    return f"@{match.group(1)}"


def mastodon_normalize(value: str) -> str:
    """A Mastodon account, stored as ``@user@instance``."""
    value = value.strip()
    if not value:
        return ""
    match = _MASTODON.match(value)
    if match:
        return f"@{match.group(1)}@{match.group(2).lower()}"
    url = _MASTODON_URL.match(value)
    if url:
        return f"@{url.group(2)}@{url.group(1).lower()}"
    raise ValidationError(
        _("Enter your Mastodon address with its server, like @yourname@mastodon.social."),
        code="invalid",
    )


def bluesky_normalize(value: str) -> str:
    """A Bluesky handle (a domain name), stored without the leading ``@``."""
    value = value.strip().lower()
    if not value:
        return ""
    match = _BLUESKY.match(value) or _BLUESKY_URL.match(value)
    if not match or len(match.group(1)) > 253:
        raise ValidationError(
            _("Enter your Bluesky handle, like yourname.bsky.social."), code="invalid"
        )
    return match.group(1)


SOCIAL_NORMALIZERS = {
    "linkedin": linkedin_normalize,
    "x_handle": x_handle_normalize,
    "mastodon": mastodon_normalize,
    "bluesky": bluesky_normalize,
}


def social_url(field_name: str, value: str) -> str:
    """The public web address of a stored social handle, or "" if it is not a valid one.

    Values are checked again here because not every way in (an old import, the Django
    admin) went through the normalisers, and only a well-formed handle becomes a link.
    """
    normalize = SOCIAL_NORMALIZERS.get(field_name)
    if normalize is None or not value:
        return ""
    try:
        value = normalize(value)
    except ValidationError:
        return ""
    if field_name == "linkedin":
        return value
    if field_name == "x_handle":
        return f"https://x.com/{value.lstrip('@')}"
    if field_name == "mastodon":
        user, _sep, instance = value.lstrip("@").partition("@")
        return f"https://{instance}/@{user}"
    return f"https://bsky.app/profile/{value}"


# ---------------------------------------------------------------- avatars


def avatar_normalize(*, upload: File) -> ContentFile:
    """Check that ``upload`` is a picture and re-encode it as a square of at most 512px.

    Re-encoding drops every piece of metadata (EXIF location, camera, comments).
    Raises ``ValidationError`` with a message for the person when the file is no good.
    """
    size = upload.size or 0
    if size > settings.AVATAR_MAX_BYTES:
        raise ValidationError(
            _("This picture is %(size)s; pictures may be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.AVATAR_MAX_BYTES)},
            code="too_large",
        )
    not_a_picture = ValidationError(
        _("This file is not a picture we can read. Upload a PNG, JPEG, GIF or WebP image."),
        code="invalid_image",
    )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format not in AVATAR_FORMATS:
                raise not_a_picture
            if probe.width * probe.height > AVATAR_MAX_PIXELS:
                raise ValidationError(
                    _("This picture has too many pixels; use one under 40 megapixels."),
                    code="too_many_pixels",
                )
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as original:
            original.load()
            image = ImageOps.exif_transpose(original)
            side = min(image.width, image.height, AVATAR_SIZE)
            image = ImageOps.fit(image, (side, side), method=Image.Resampling.LANCZOS)
            has_alpha = image.mode in {"RGBA", "LA", "PA"} or (
                image.mode == "P" and "transparency" in image.info
            )
            buffer = io.BytesIO()
            if has_alpha:
                image.convert("RGBA").save(buffer, format="PNG", optimize=True)
                extension = "png"
            else:
                image.convert("RGB").save(buffer, format="JPEG", quality=88, optimize=True)
                extension = "jpg"
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_a_picture from None
    return ContentFile(buffer.getvalue(), name=f"{secrets.token_hex(10)}.{extension}")


# ---------------------------------------------------------------- profile


def _would_loop(*, user: User, manager: User) -> bool:
    """Whether making ``manager`` the manager of ``user`` closes a loop in the reporting line."""
    seen: set[int] = set()
    current: User | None = manager
    while current is not None and current.pk not in seen:
        if current.pk == user.pk:
            return True
        seen.add(current.pk)
        current = User.objects.filter(pk=current.manager_id).first() if current.manager_id else None
    return False


@transaction.atomic
def profile_update(
    *,
    actor: User,
    user: User,
    data: Mapping[str, Any],
    avatar: File | None = None,
    remove_avatar: bool = False,
    request: HttpRequest | None = None,
) -> User:
    """Update ``user``'s profile with ``data`` (a subset of the profile fields).

    People edit their own personal fields; administrators edit anyone's fields,
    organisational ones included. ``avatar`` is an uploaded picture to use;
    ``remove_avatar`` goes back to initials. Nothing is saved unless everything is valid.
    """
    is_admin = actor.is_administrator
    if actor.pk != user.pk and not is_admin:
        raise PermissionDenied(_("You can only edit your own profile."))
    allowed = set(PERSONAL_FIELDS) | (set(ORGANISATION_FIELDS) if is_admin else set())
    refused = set(data) - allowed
    if refused:
        raise PermissionDenied(
            _("Only administrators can change: %(fields)s.")
            % {"fields": ", ".join(sorted(refused))}
        )

    # Work on a fresh, locked copy: the caller's object stays as it was if anything fails.
    user = User.objects.select_for_update().get(pk=user.pk)
    errors: dict[str, list[ValidationError]] = {}
    values = dict(data)
    for name, normalize in SOCIAL_NORMALIZERS.items():
        if name in values:
            try:
                values[name] = normalize(values[name] or "")
            except ValidationError as error:
                errors.setdefault(name, []).append(error)
    if "display_name" in values:
        values["display_name"] = (values["display_name"] or "").strip()
    manager = values.get("manager")
    if manager is not None and manager.pk != user.pk and _would_loop(user=user, manager=manager):
        errors.setdefault("manager", []).append(
            ValidationError(
                _("%(name)s reports to %(person)s already; pick someone else.")
                % {"name": manager, "person": user}
            )
        )
    if "team" in values or "department" in values:
        team = values.get("team", user.team)
        department = values.get("department", user.department)
    else:
        team = department = None
    if team is not None and department is not None and team.department_id != department.pk:
        errors.setdefault("team", []).append(
            ValidationError(_("This team belongs to another department."))
        )
    new_avatar: ContentFile | None = None
    if avatar is not None:
        try:
            new_avatar = avatar_normalize(upload=avatar)
        except ValidationError as error:
            errors.setdefault("avatar", []).append(error)
    if errors:
        raise ValidationError(errors)

    old_avatar_name = user.avatar.name if user.avatar else ""
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, values[name])
    if not user.birthday_month or not user.birthday_day:
        user.birthday_visible = False
    user.full_clean(exclude=["password"])
    if new_avatar is not None:
        user.avatar.save(new_avatar.name or "avatar", new_avatar, save=False)
        changed.append("avatar")
    elif remove_avatar and old_avatar_name:
        user.avatar.name = ""
        changed.append("avatar")
    if not changed:
        return user
    user.save()
    if DIRECTORY_FIELDS.intersection(changed):
        people_changed_send(user_ids=[user.pk])

    if actor.pk != user.pk:
        audit_record(
            action="people.profile_updated",
            actor=actor,
            target=user,
            request=request,
            details={"fields": sorted(changed)},
        )
    if "avatar" in changed and old_avatar_name:
        storage = user.avatar.storage
        transaction.on_commit(lambda: storage.delete(old_avatar_name))
    return user


# ---------------------------------------------------------------- roles


@transaction.atomic
def user_set_role(
    *, actor: User, user: User, role: str, request: HttpRequest | None = None
) -> User:
    """Give ``user`` the stored role ``role``. Administrators only.

    Refuses to take the role away from the last active administrator, so the
    company can never lock itself out. The person hears about it live.
    """
    if not actor.is_administrator:
        raise PermissionDenied(_("Only administrators can change roles."))
    if role not in User.Role.values:
        raise ValidationError({"role": _("Choose one of the roles offered.")})
    user = User.objects.select_for_update().get(pk=user.pk)
    old_role = user.role
    if old_role == role:
        return user
    if old_role == User.Role.ADMINISTRATOR and user.is_active:
        others = list(
            User.objects.select_for_update()
            .filter(is_active=True, role=User.Role.ADMINISTRATOR)
            .exclude(pk=user.pk)
            .values_list("pk", flat=True)
        )
        if not others:
            raise ValidationError(
                {
                    "role": _(
                        "%(name)s is the last administrator. Make someone else an "
                        "administrator first, so the company can still manage Rallypoint."
                    )
                    % {"name": user}
                }
            )
    user.role = role
    user.full_clean(exclude=["password"])
    user.save(update_fields=["role"])
    audit_record(
        action="people.role_changed",
        actor=actor,
        target=user,
        request=request,
        details={"old_role": old_role, "new_role": role},
    )
    user_id, language, new_role = user.pk, user.language, User.Role(role)

    def tell_the_person() -> None:
        from rallypoint.core.realtime import publish_to_user

        with translation.override(language):
            message = _("Your role is now: %(role)s.") % {"role": new_role.label}
        publish_to_user(user_id, "toast", {"message": message})

    transaction.on_commit(tell_the_person)
    return user
