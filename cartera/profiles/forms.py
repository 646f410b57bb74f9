"""Forms of the staff UI for B2C profiles: they parse; the services validate and write. Also what the
rule builder offers for profile rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cartera.accounts.forms import BootstrapFormMixin
from cartera.core.regions import region_choices, region_name
from cartera.insights.forms import RuleField
from cartera.insights.rule_catalog import builder_texts
from cartera.profiles.choices import AgeBand, ConsumerChannel
from cartera.profiles.models import Consumer, Profile
from cartera.profiles.rules import (
    AMOUNT_FIELDS,
    AT_LEAST,
    AT_MOST,
    ATTRIBUTE_FIELDS,
    FIELD_LABELS,
    IN,
    NOT_IN,
)
from cartera.profiles.suggest import MAX_K, MIN_K


def _model_field(name: str, **kwargs: Any) -> forms.Field:
    field = Profile._meta.get_field(name).formfield(**kwargs)  # type: ignore[union-attr]
    assert field is not None
    return field


class ProfileForm(BootstrapFormMixin, forms.Form):
    """A profile's name, order, activity and rule; `version` guards against overwriting someone else."""

    name = _model_field("name")
    description = _model_field("description", widget=forms.Textarea(attrs={"rows": 2}))
    priority = _model_field("priority")
    is_active = _model_field("is_active")
    rule = RuleField(
        label=_("Rule as JSON"),
        required=False,
        help_text=_(
            'For power users: the rule in cartera\'s rule language, {"all": [conditions]}. The builder '
            "above and this text stay in step."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, profile: Profile | None = None, **kwargs: Any) -> None:
        if profile is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": profile.name,
                "description": profile.description,
                "priority": profile.priority,
                "is_active": profile.is_active,
                "rule": profile.rule,
                "version": profile.version,
            }
        super().__init__(*args, **kwargs)
        self.fields["version"].required = profile is not None
        self.style_widgets()

    def style_widgets(self) -> None:
        super().style_widgets()
        self.fields["rule"].widget.attrs["class"] += " font-monospace rule-json"

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class SuggestForm(BootstrapFormMixin, forms.Form):
    """How many groups the suggested profiles split the consumers into."""

    k = forms.IntegerField(
        label=_("Number of groups"),
        min_value=MIN_K,
        max_value=MAX_K,
        initial=4,
        help_text=_("Between 2 and 12."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


def _consumer_regions() -> list[tuple[str, str]]:
    regions = dict(region_choices(settings.CARTERA_DEFAULT_COUNTRY))
    used = Consumer.objects.exclude(region="").order_by().values_list("region", flat=True).distinct()
    for code in used:
        regions.setdefault(code, region_name(code))
    return sorted(regions.items(), key=lambda item: str(item[1]))


def profile_builder_catalog() -> dict[str, Any]:
    """What the rule builder offers for profile rules: attributes with their codes, behaviour bounds."""
    attribute_choices = {
        "region": _consumer_regions(),
        "age_band": [(str(value), str(label)) for value, label in AgeBand.choices],
        "channel": [(str(value), str(label)) for value, label in ConsumerChannel.choices],
    }
    attributes = [
        {
            "name": name,
            "label": str(FIELD_LABELS[name]).capitalize(),
            "kind": "code",
            "operators": [IN, NOT_IN],
            "choices": attribute_choices[name],
        }
        for name in ATTRIBUTE_FIELDS
    ]
    behaviour = []
    for name in ("orders_12m", "spend_12m", "recency_days", "tenure_days"):
        entry: dict[str, Any] = {
            "name": name,
            "label": str(FIELD_LABELS[name]).capitalize(),
            "kind": "money" if name in AMOUNT_FIELDS else "integer",
            "operators": [AT_LEAST, AT_MOST],
        }
        if name in AMOUNT_FIELDS:
            entry["unit"] = settings.CARTERA_DEFAULT_CURRENCY
        else:
            entry["min"] = 0
        if name in {"recency_days", "tenure_days"}:
            entry["unit"] = gettext("days")
        behaviour.append(entry)
    return {
        "groups": [
            {"label": gettext("Behaviour"), "fields": behaviour},
            {"label": gettext("Attributes"), "fields": attributes},
        ],
        "operators": {
            IN: gettext("is one of"),
            NOT_IN: gettext("is none of"),
            AT_LEAST: gettext("is at least"),
            AT_MOST: gettext("is at most"),
        },
        "groupKinds": {},
        "maxDepth": 1,
        "texts": builder_texts(gettext("Consumers who meet all of these conditions:")),
    }
