"""The dashboard's controls: which accounts it looks at (scope) and since when it counts tier moves."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cartera.dashboard.selectors import COMPANY, ScopeChoices

# How far back the flow of tier moves looks unless another date is chosen.
MOVES_DEFAULT_DAYS = 90


class ScopeForm(forms.Form):
    """The scope select, grouped by territories, portfolios and segments (what the user may choose)."""

    scope = forms.ChoiceField(label=_("Show"), required=False)

    def __init__(self, data: Any, *, choices: ScopeChoices) -> None:
        super().__init__(data)
        field = self.fields["scope"]
        field.choices = choices.options()  # type: ignore[attr-defined]
        field.initial = COMPANY
        field.widget.attrs.update({"class": "form-select form-select-sm"})


class SinceForm(forms.Form):
    """The first day of the tier moves shown: a date not after today (90 days ago when not given)."""

    since = forms.DateField(
        label=_("Moves since"),
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
        ),
    )

    def __init__(self, data: Any, *, today: dt.date) -> None:
        super().__init__(data)
        self.today = today
        self.fields["since"].widget.attrs["max"] = today.isoformat()
        self.fields["since"].initial = self.default(today)

    def clean_since(self) -> dt.date:
        since = self.cleaned_data.get("since") or self.default(self.today)
        if since > self.today:
            raise forms.ValidationError(_("Choose a date not after today."), code="future")
        return since

    @staticmethod
    def default(today: dt.date) -> dt.date:
        return today - dt.timedelta(days=MOVES_DEFAULT_DAYS)
