from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    """The filters above the audit log; every field is optional."""

    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(
        label=_("Actor email contains"),
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    target_type = forms.ChoiceField(label=_("Target type"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(
        self, *args: Any, actions: list[str], target_types: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        any_choice = ("", _("Any"))
        action = self.fields["action"]
        target_type = self.fields["target_type"]
        assert isinstance(action, forms.ChoiceField)
        assert isinstance(target_type, forms.ChoiceField)
        action.choices = [any_choice, *((a, a) for a in actions)]
        target_type.choices = [any_choice, *((t, t) for t in target_types)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        for name in ("actor", "text"):
            cleaned[name] = (cleaned.get(name) or "").strip()
        return cleaned
