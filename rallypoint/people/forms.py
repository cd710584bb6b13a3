"""Forms for the directory, profiles and roles. They parse input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from rallypoint.people.models import TIME_ZONE_CHOICES, Department, Location, Team, User
from rallypoint.people.services import ORGANISATION_FIELDS, PERSONAL_FIELDS

AVATAR_ACCEPT = "image/png,image/jpeg,image/gif,image/webp"


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, job title or department"),
                "autocomplete": "off",
            }
        ),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=_("All departments"),
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=_("All locations"),
    )

    def __init__(
        self,
        *args: Any,
        departments: Any = None,
        locations: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        if locations is not None:
            self.fields["location"].queryset = locations  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The valid filters; an unknown department or location is left out."""
        data = getattr(self, "cleaned_data", {})
        return {
            "query": data.get("q") or "",
            "department": data.get("department"),
            "location": data.get("location"),
        }


class ProfileForm(forms.Form):
    """A person's profile. Organisational fields appear only for administrators."""

    display_name = forms.CharField(label=_("Display name"), max_length=120)
    pronouns = forms.CharField(
        label=_("Pronouns"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("for example she/her, he/him, they/them")}),
    )
    bio = forms.CharField(
        label=_("Short bio"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few words for colleagues: what you work on, what to ask you about."),
    )
    avatar = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": AVATAR_ACCEPT}),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my photo"), required=False)
    birthday_month = forms.TypedChoiceField(
        label=_("Birthday month"),
        choices=[("", "—"), *MONTHS.items()],
        coerce=int,
        empty_value=None,
        required=False,
    )
    birthday_day = forms.TypedChoiceField(
        label=_("Birthday day"),
        choices=[("", "—"), *((d, str(d)) for d in range(1, 32))],
        coerce=int,
        empty_value=None,
        required=False,
    )
    birthday_visible = forms.BooleanField(
        label=_("Show my birthday to colleagues"),
        required=False,
        help_text=_("Only the month and day are shown, never the year."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    linkedin = forms.CharField(
        label=_("LinkedIn"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "https://www.linkedin.com/in/your-name"}),
    )
    x_handle = forms.CharField(
        label=_("X"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "@yourname"}),
    )
    mastodon = forms.CharField(
        label=_("Mastodon"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "@yourname@mastodon.social"}),
    )
    bluesky = forms.CharField(
        label=_("Bluesky"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "yourname.bsky.social"}),
    )

    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.order_by("name"), required=False
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.select_related("department").order_by("department__name", "name"),
        required=False,
    )
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.order_by("name"), required=False
    )
    manager = forms.ModelChoiceField(
        label=_("Manager"), queryset=User.objects.none(), required=False
    )
    hire_date = forms.DateField(
        label=_("Hire date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, person: User, organisation: bool, **kwargs: Any) -> None:
        kwargs.setdefault("initial", self._initial_for(person))
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.person = person
        self.organisation = organisation
        if organisation:
            self.fields["manager"].queryset = (  # type: ignore[attr-defined]
                User.objects.filter(is_active=True).exclude(pk=person.pk).order_by("display_name")
            )
            self.fields["team"].label_from_instance = (  # type: ignore[attr-defined]
                lambda team: f"{team.department} · {team.name}"
            )
        else:
            for name in ORGANISATION_FIELDS:
                del self.fields[name]
        if not person.avatar:
            del self.fields["remove_avatar"]

    @staticmethod
    def _initial_for(person: User) -> dict[str, Any]:
        initial = {name: getattr(person, name) for name in PERSONAL_FIELDS}
        initial.update(
            job_title=person.job_title,
            department=person.department_id,
            team=person.team_id,
            location=person.location_id,
            manager=person.manager_id,
            hire_date=person.hire_date,
        )
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        month, day = data.get("birthday_month"), data.get("birthday_day")
        if (month is None) != (day is None):
            self.add_error(
                "birthday_day", _("Give both the month and the day of your birthday, or neither.")
            )
        return data

    def profile_data(self) -> dict[str, Any]:
        names = PERSONAL_FIELDS + (ORGANISATION_FIELDS if self.organisation else ())
        return {name: self.cleaned_data.get(name) for name in names}

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's ``ValidationError`` beside the fields it names."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            field = name if name in self.fields and name != NON_FIELD_ERRORS else None
            self.add_error(field, errors)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=User.Role.choices)
