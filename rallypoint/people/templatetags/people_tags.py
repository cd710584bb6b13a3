"""Template helpers for people pages: social links, birthdays, local time."""

from __future__ import annotations

import calendar
import datetime
import zoneinfo

from django import forms, template
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from rallypoint.people.models import User
from rallypoint.people.services import social_url

register = template.Library()


@register.simple_tag
def social_links(person: User) -> list[dict[str, str]]:
    """The person's social profiles that have an address, in a fixed order."""
    links = []
    for field_name, label in (
        ("linkedin", _("LinkedIn")),
        ("x_handle", _("X")),
        ("mastodon", _("Mastodon")),
        ("bluesky", _("Bluesky")),
    ):
        value = getattr(person, field_name)
        url = social_url(field_name, value)
        if url:
            text = url.removeprefix("https://www.") if field_name == "linkedin" else value
            links.append({"network": field_name, "label": label, "url": url, "text": text})
    return links


@register.filter
def month_day(person: User) -> str:
    """The person's birthday as a localised month and day ("14 March"), never a year."""
    if not person.birthday_month or not person.birthday_day:
        return ""
    day = min(person.birthday_day, calendar.monthrange(2000, person.birthday_month)[1])
    return date_format(datetime.date(2000, person.birthday_month, day), "MONTH_DAY_FORMAT")


@register.filter
def local_time(person: User) -> str:
    """The time now where the person is, for example "14:05"."""
    try:
        zone = zoneinfo.ZoneInfo(person.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ""
    return time_format(timezone.now().astimezone(zone), "TIME_FORMAT")


@register.filter
def fields(form: forms.Form, names: str) -> list[forms.BoundField]:
    """The form's fields named in ``names`` (space-separated) that it has, in that order."""
    return [form[name] for name in names.split() if name in form.fields]
