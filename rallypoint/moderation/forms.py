from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rallypoint.moderation.models import DECISION_NOTE_MAX, REPORT_DETAILS_MAX, Report


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Anything the moderators should know"),
        required=False,
        max_length=REPORT_DETAILS_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only the space's moderators read this. The author is never told who reported."
        ),
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it hidden? The author reads this."),
        max_length=DECISION_NOTE_MAX,
    )
