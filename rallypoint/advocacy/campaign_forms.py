"""The form of a campaign, for communications managers and administrators."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rallypoint.advocacy.campaigns import (
    DESCRIPTION_MAX,
    GOAL_MAX,
    NAME_MAX,
    SLUG_MAX,
    CampaignData,
)
from rallypoint.advocacy.forms import audience_fields
from rallypoint.advocacy.models import Campaign, ContentItem
from rallypoint.feed.forms import LocalDateTimeInput

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise
else:
    StrOrPromise = str


def _goal(label: StrOrPromise, help_text: StrOrPromise) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=1, max_value=GOAL_MAX, help_text=help_text
    )


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=SLUG_MAX,
        required=False,
        help_text=_("The end of the campaign's address, /campaigns/…/. Empty: made from the name."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=LocalDateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=LocalDateTimeInput())
    audience_everyone, departments, locations = audience_fields()
    items = forms.ModelMultipleChoiceField(
        label=_("Content"),
        queryset=ContentItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Items of the library that can be shared (internal-only ones cannot)."),
    )
    goal_shares = _goal(_("Shares"), _("How many shares, by everyone together."))
    goal_unique_clicks = _goal(
        _("Unique clicks"), _("Different visitors a day through the campaign's links.")
    )
    goal_participants = _goal(_("Participants"), _("How many people share at least once."))
    goal_reach = _goal(
        _("Reach"),
        _(
            "Impressions reported by the networks, plus unique visitors where a network "
            "reports none."
        ),
    )

    def __init__(self, *args: Any, campaign: Campaign | None = None, **kwargs: Any) -> None:
        if campaign is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": campaign.name,
                "slug": campaign.slug,
                "description": campaign.description,
                "starts_at": campaign.starts_at,
                "ends_at": campaign.ends_at,
                "audience_everyone": campaign.audience_everyone,
                "departments": list(campaign.departments.all()),
                "locations": list(campaign.locations.all()),
                "items": list(campaign.items.all()),
                "goal_shares": campaign.goal_shares,
                "goal_unique_clicks": campaign.goal_unique_clicks,
                "goal_participants": campaign.goal_participants,
                "goal_reach": campaign.goal_reach,
            }
        super().__init__(*args, **kwargs)
        field = self.fields["items"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        # Items that can be shared, and those already in this campaign (kept when unchanged).
        allowed = Q(status=ContentItem.Status.PUBLISHED, internal_only=False)
        if campaign is not None:
            allowed |= Q(campaigns=campaign)
        field.queryset = (
            ContentItem.objects.filter(allowed).distinct().order_by("-published_at", "-id")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("audience_everyone") and not (
            data.get("departments") or data.get("locations")
        ):
            self.add_error(
                "audience_everyone",
                _("Choose who the campaign is for: everyone, or departments or locations."),
            )
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The campaign must end after it starts."))
        return data

    def campaign_data(self) -> CampaignData:
        data = self.cleaned_data
        return CampaignData(
            name=data["name"],
            slug=data["slug"],
            description=data["description"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            audience_everyone=data["audience_everyone"],
            departments=data["departments"],
            locations=data["locations"],
            items=data["items"],
            goal_shares=data["goal_shares"],
            goal_unique_clicks=data["goal_unique_clicks"],
            goal_participants=data["goal_participants"],
            goal_reach=data["goal_reach"],
        )
