"""Forms of the policy pages and the compliance rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rallypoint.governance.models import (
    BODY_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    ComplianceRule,
    ComplianceSettings,
)
from rallypoint.networks.models import Network

TRY_TEXT_MAX = 10_000


class PolicyVersionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    summary = forms.CharField(
        label=_("Summary of changes"),
        max_length=SUMMARY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What changed since the previous version, in a few lines."),
    )
    body = forms.CharField(
        label=_("Policy"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("Markdown: # headings, **bold**, *italic*, [link](https://…), lists."),
    )


class AcknowledgeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)


class ComplianceSettingsForm(forms.ModelForm):
    class Meta:
        model = ComplianceSettings
        fields = ["disclosure_text", "disclosure_action", "disclosure_overflow"]


class ComplianceRuleForm(forms.ModelForm):
    class Meta:
        model = ComplianceRule
        fields = ["kind", "action", "value", "message", "enabled"]
        widgets = {"value": forms.TextInput(attrs={"spellcheck": "false"})}


class TryTextForm(forms.Form):
    text = forms.CharField(
        label=_("Text to check"),
        max_length=TRY_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        strip=False,
    )
    network = forms.ChoiceField(label=_("Network"), choices=Network.choices, initial=Network.X)
    url = forms.URLField(label=_("Link"), required=False, max_length=2000, assume_scheme="https")
