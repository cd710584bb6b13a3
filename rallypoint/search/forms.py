from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rallypoint.search.models import SearchDocument
from rallypoint.search.query import MAX_QUERY_LENGTH
from rallypoint.search.selectors import MAX_PAGE
from rallypoint.spaces.models import Space


class SearchForm(forms.Form):
    """The search page's query and filters (sent with GET)."""

    q = forms.CharField(label=_("Search"), max_length=MAX_QUERY_LENGTH, required=False)
    kind = forms.ChoiceField(
        label=_("Show"),
        choices=[("", _("Everything")), *SearchDocument.Kind.choices],
        required=False,
    )
    space = forms.ModelChoiceField(
        label=_("Space"),
        queryset=Space.objects.none(),
        to_field_name="slug",
        empty_label=_("All spaces"),
        required=False,
    )
    author = forms.IntegerField(
        label=_("Author"),
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        widget=forms.HiddenInput,
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False)

    def __init__(self, *args: Any, spaces: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        space_field = self.fields["space"]
        assert isinstance(space_field, forms.ModelChoiceField)
        space_field.queryset = spaces

    def clean_q(self) -> str:
        value = self.cleaned_data["q"]
        if "\x00" in value:
            raise ValidationError(_("The search contains a character that cannot be searched."))
        return str(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The start date is after the end date."))
        return data
