from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EXPIRY_CHOICES = [
    ("30", _("In 30 days")),
    ("90", _("In 90 days")),
    ("365", _("In a year")),
    ("never", _("Never")),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, such as “weekly report script”."),
    )
    expires = forms.ChoiceField(label=_("Expires"), choices=EXPIRY_CHOICES, initial="90")

    def expires_at(self) -> datetime.datetime | None:
        choice = self.cleaned_data["expires"]
        if choice == "never":
            return None
        return timezone.now() + datetime.timedelta(days=int(choice))
