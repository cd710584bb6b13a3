"""The composer of announcements."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rallypoint.announce.models import BODY_MAX, REMINDER_DAYS_MAX, TITLE_MAX
from rallypoint.announce.selectors import AudienceChoices
from rallypoint.people.models import Department, Location
from rallypoint.spaces.models import Space


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("Text"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Markdown: **bold**, *italic*, [link](https://…), lists and tables."),
    )
    to_everyone = forms.BooleanField(label=_("Everyone in the company"), required=False)
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    locations = forms.ModelMultipleChoiceField(
        label=_("Locations"),
        queryset=Location.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    spaces = forms.ModelMultipleChoiceField(
        label=_("Teams and groups"),
        queryset=Space.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    must_read = forms.BooleanField(
        label=_("Must read"),
        required=False,
        help_text=_("People are asked to acknowledge it; you see who has not."),
    )
    urgent = forms.BooleanField(
        label=_("Urgent"),
        required=False,
        help_text=_(
            "For a crisis or a policy change: everyone in the audience is notified whatever "
            "their settings, and it stays at the top of their feed until acknowledged."
        ),
    )
    reminder_after_days = forms.IntegerField(
        label=_("Remind those who have not acknowledged after (days)"),
        required=False,
        min_value=1,
        max_value=REMINDER_DAYS_MAX,
        help_text=_("Then again every that many days, a few times at most. Empty: no reminders."),
    )

    def __init__(self, *args: Any, choices: AudienceChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("departments", choices.departments),
            ("locations", choices.locations),
            ("spaces", choices.spaces),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.queryset = queryset

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (
            data.get("to_everyone")
            or data.get("departments")
            or data.get("locations")
            or data.get("spaces")
        ):
            raise forms.ValidationError(_("Choose who the announcement is for."))
        if data.get("urgent"):
            data["must_read"] = True
        if data.get("reminder_after_days") and not data.get("must_read"):
            self.add_error("reminder_after_days", _("Reminders are for must-read announcements."))
        return data
