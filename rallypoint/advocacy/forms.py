"""Forms of the content library: a curator's item, an employee's suggestion, a rating,
a rejection, and naming a curator. Forms parse; ``services`` decides and explains."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rallypoint.advocacy.models import ContentItem, ContentRating
from rallypoint.advocacy.services import (
    REASON_MAX,
    REJECTION_MAX,
    SUGGESTED_NETWORKS,
    TITLE_MAX,
    ItemData,
    SubmissionKind,
)
from rallypoint.networks.limits import LIMITS
from rallypoint.networks.models import Network
from rallypoint.people.models import Department, Location

LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def audience_fields() -> tuple[
    forms.BooleanField, forms.ModelMultipleChoiceField, forms.ModelMultipleChoiceField
]:
    """The audience of an item or a campaign: everyone, or departments and locations."""
    return (
        forms.BooleanField(label=_("Everyone in the company"), required=False, initial=True),
        forms.ModelMultipleChoiceField(
            label=_("Departments"),
            queryset=Department.objects.order_by("name"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        ),
        forms.ModelMultipleChoiceField(
            label=_("Locations"),
            queryset=Location.objects.order_by("name"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        ),
    )


def text_field_name(network: str) -> str:
    return f"text_{network}"


class ItemForm(forms.Form):
    """A curator's item; one suggested-text box per network, counted as typed."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ContentItem.Kind.choices)
    url = forms.CharField(
        label=_("Link"),
        required=False,
        max_length=2048,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=_(
            "For a link or a video. “Fetch details” reads the page's title, "
            "description and picture; you can change them."
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description or text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    site_name = forms.CharField(label=_("Site"), required=False, max_length=200)
    image_url = forms.CharField(
        label=_("Image address"), required=False, max_length=2048, widget=forms.URLInput()
    )
    image = forms.FileField(
        label=_("Picture"), required=False, help_text=_("PNG, JPEG, GIF or WebP.")
    )
    topics = forms.CharField(
        label=_("Topics"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas; new topics are created."),
    )
    audience_everyone, departments, locations = audience_fields()
    starts_at = forms.DateTimeField(label=_("Shown from"), required=False, widget=LOCAL_DATETIME)
    expires_at = forms.DateTimeField(label=_("Expires"), required=False, widget=LOCAL_DATETIME)
    featured = forms.BooleanField(label=_("Featured"), required=False)
    internal_only = forms.BooleanField(
        label=_("Internal only"),
        required=False,
        help_text=_("Shown in the library but never shared outside the company."),
    )
    why_share = forms.CharField(
        label=_("Why share it"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Network.choices)
        for network in SUGGESTED_NETWORKS:
            self.fields[text_field_name(network)] = forms.CharField(
                label=_("Suggested text for %(network)s") % {"network": labels[network]},
                required=False,
                max_length=LIMITS[network] * 4,
                widget=forms.Textarea(
                    attrs={
                        "rows": 3,
                        "data-share-network": network,
                        "data-share-limit": LIMITS[network],
                        "data-share-url-from": "id_url",
                    }
                ),
            )

    def text_fields(self) -> list[forms.BoundField]:
        return [self[text_field_name(network)] for network in SUGGESTED_NETWORKS]

    @classmethod
    def initial_from(cls, data: ItemData) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "kind": data.kind,
            "url": data.url,
            "title": data.title,
            "description": data.description,
            "site_name": data.site_name,
            "image_url": data.image_url,
            "topics": ", ".join(data.topics),
            "audience_everyone": data.audience_everyone,
            "departments": data.departments,
            "locations": data.locations,
            "starts_at": data.starts_at,
            "expires_at": data.expires_at,
            "featured": data.featured,
            "internal_only": data.internal_only,
            "why_share": data.why_share,
        }
        for network in SUGGESTED_NETWORKS:
            initial[text_field_name(network)] = data.suggested_texts.get(network, "")
        return initial

    def item_data(self) -> ItemData:
        data = self.cleaned_data
        return ItemData(
            title=data["title"],
            kind=data["kind"],
            description=data["description"],
            url=data["url"],
            site_name=data["site_name"],
            image_url=data["image_url"],
            image=data.get("image") or None,
            topics=[name for name in data["topics"].split(",") if name.strip()],
            audience_everyone=data["audience_everyone"],
            departments=list(data["departments"]),
            locations=list(data["locations"]),
            starts_at=data["starts_at"],
            expires_at=data["expires_at"],
            featured=data["featured"],
            why_share=data["why_share"],
            internal_only=data["internal_only"],
            suggested_texts={
                network: data.get(text_field_name(network)) or "" for network in SUGGESTED_NETWORKS
            },
        )


class SubmitForm(forms.Form):
    """An employee's suggestion: a link, a story or a photo, with a suggested text."""

    kind = forms.ChoiceField(
        label=_("What would you like to suggest?"),
        choices=SubmissionKind.choices,
        widget=forms.RadioSelect,
        initial=SubmissionKind.LINK,
    )
    url = forms.CharField(label=_("Link"), required=False, max_length=2048, widget=forms.URLInput())
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=TITLE_MAX,
        help_text=_("For a link, leave it empty to use the page's own title."),
    )
    text = forms.CharField(
        label=_("Your story or a few words about it"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photo = forms.FileField(
        label=_("Photo"), required=False, help_text=_("PNG, JPEG, GIF or WebP.")
    )
    suggested_text = forms.CharField(
        label=_("Suggested share text"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "data-share-network": Network.X,
                "data-share-limit": LIMITS[Network.X],
                "data-share-url-from": "id_url",
            }
        ),
        help_text=_("What a colleague could post with it. The counter shows X's count."),
    )


class RateForm(forms.Form):
    verdict = forms.ChoiceField(choices=ContentRating.Verdict.choices)
    reason = forms.CharField(required=False, max_length=REASON_MAX)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the colleague)"),
        max_length=REJECTION_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CuratorForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the person to name"))
