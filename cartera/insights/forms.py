"""Forms of the staff UI for segments and service models: they parse; the services validate and write."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cartera.accounts.forms import BootstrapFormMixin
from cartera.insights.models import Segment, ServiceModel


def _model_field(model: type, name: str, **kwargs: Any) -> forms.Field:
    """The form field Django derives from a model field: its translated label, help text and limits."""
    field = model._meta.get_field(name).formfield(**kwargs)  # type: ignore[attr-defined]
    assert field is not None
    return field


class RuleField(forms.CharField):
    """A rule as JSON text, parsed into a dict; whether it makes sense is for the services to say."""

    widget = forms.Textarea

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}))
        super().__init__(strip=True, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, indent=2)
        return value

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return {"all": []}
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationError(
                _("This is not valid JSON (line %(line)s, column %(column)s): %(problem)s."),
                code="invalid_json",
                params={"line": error.lineno, "column": error.colno, "problem": error.msg},
            ) from None


def parse_rule_text(text: str) -> Any:
    """The rule typed or built on a page, for a preview: a dict, or ValidationError for bad JSON."""
    return RuleField(required=False).clean(text)


def rule_error_positions(error: ValidationError) -> list[str]:
    """The positions ("2", "2.1") of the conditions a rule's ValidationError names, so the builder can
    mark them."""
    errors = error.error_dict.get("rule", []) if hasattr(error, "error_dict") else error.error_list
    positions = []
    for item in errors:
        params = item.params or {}
        position = params.get("position") or params.get("number")
        if position:
            positions.append(str(position))
    return positions


class SegmentForm(BootstrapFormMixin, forms.Form):
    """A segment's name, place in the order, service model and rule; `version` guards against
    overwriting someone else's changes."""

    name = _model_field(Segment, "name")
    description = _model_field(Segment, "description", widget=forms.Textarea(attrs={"rows": 2}))
    priority = _model_field(Segment, "priority")
    service_model = forms.ModelChoiceField(
        label=_("Service model"), queryset=ServiceModel.objects.order_by("name"), empty_label=None
    )
    is_default = _model_field(Segment, "is_default")
    rule = RuleField(
        label=_("Rule as JSON"),
        required=False,
        help_text=_(
            'For power users: the rule in cartera\'s rule language, {"all": [conditions]}. The builder '
            "above and this text stay in step."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, segment: Segment | None = None, **kwargs: Any) -> None:
        if segment is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": segment.name,
                "description": segment.description,
                "priority": segment.priority,
                "service_model": segment.service_model_id,
                "is_default": segment.is_default,
                "rule": segment.rule or {"all": []},
                "version": segment.version,
            }
        super().__init__(*args, **kwargs)
        self.fields["is_default"].help_text = _(
            "The default segment takes every account that no other segment matches; its rule stays empty."
        )
        self.fields["version"].required = segment is not None
        self.style_widgets()

    def style_widgets(self) -> None:
        super().style_widgets()
        self.fields["rule"].widget.attrs["class"] += " font-monospace rule-json"

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as the segment services take them."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class ServiceModelForm(BootstrapFormMixin, forms.Form):
    """What a segment gets: who serves it, the longest it may go without contact, its case SLA and its
    review cadence."""

    name = _model_field(ServiceModel, "name")
    coverage = _model_field(ServiceModel, "coverage")
    max_days_without_contact = _model_field(ServiceModel, "max_days_without_contact")
    first_response_hours = _model_field(ServiceModel, "first_response_hours")
    resolution_hours = _model_field(ServiceModel, "resolution_hours")
    review_cadence_days = _model_field(ServiceModel, "review_cadence_days")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, service_model: ServiceModel | None = None, **kwargs: Any) -> None:
        if service_model is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(service_model, name)
                for name in (
                    "name",
                    "coverage",
                    "max_days_without_contact",
                    "first_response_hours",
                    "resolution_hours",
                    "review_cadence_days",
                    "version",
                )
            }
        super().__init__(*args, **kwargs)
        coverage: Any = self.fields["coverage"]
        coverage.choices = [choice for choice in coverage.choices if choice[0]]
        self.fields["version"].required = service_model is not None
        self.style_widgets()

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data
