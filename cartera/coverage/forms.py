"""Forms of the staff UI for portfolios, territories and assignments: they parse input; the services
validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cartera.accounts.forms import BootstrapFormMixin
from cartera.accounts.models import Account
from cartera.core.regions import region_choices, region_name
from cartera.core.text import normalize
from cartera.coverage.models import Portfolio, Territory
from cartera.coverage.selectors import MAP_COUNTRY, portfolio_owner_candidates, territory_descendant_ids


class UserChoiceField(forms.ModelChoiceField):
    """A user shown by full name, with the username when there is none."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.get_role_display()})"


class PortfolioForm(BootstrapFormMixin, forms.Form):
    """A portfolio's name and description; the owner on creation (later, through a reassignment)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    owner = UserChoiceField(label=_("Owner"), queryset=portfolio_owner_candidates())
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_active = forms.BooleanField(
        label=_("Active portfolio"), required=False, help_text=_("A closed portfolio takes no new accounts.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, portfolio: Portfolio | None = None, **kwargs: Any) -> None:
        if portfolio is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": portfolio.name,
                "description": portfolio.description,
                "is_active": portfolio.is_active,
                "version": portfolio.version,
            }
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = portfolio_owner_candidates()  # type: ignore[attr-defined]
        if portfolio is None:
            del self.fields["is_active"]
        else:
            del self.fields["owner"]
            self.fields["version"].required = True
        self.style_widgets()

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class PortfolioReassignForm(BootstrapFormMixin, forms.Form):
    """Who the whole portfolio goes to, and why (kept in its history)."""

    new_owner = UserChoiceField(label=_("New owner"), queryset=portfolio_owner_candidates(), empty_label="—")
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Kept in the portfolio's history, for example “Territory reorganisation”."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, portfolio: Portfolio, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"version": portfolio.version})
        super().__init__(*args, **kwargs)
        self.fields["new_owner"].queryset = portfolio_owner_candidates().exclude(pk=portfolio.owner_id)  # type: ignore[attr-defined]
        self.style_widgets()


def parse_account_versions(values: list[str]) -> dict[int, int]:
    """{account id: version} from checkbox values written as "id:version" (or just "id")."""
    versions: dict[int, int] = {}
    for value in values:
        pk, _sep, version = value.partition(":")
        try:
            versions[int(pk)] = int(version) if version else -1
        except ValueError:
            raise ValidationError(_("The list of accounts was not understood."), code="invalid") from None
    return versions


class AccountsAssignForm(BootstrapFormMixin, forms.Form):
    """The accounts ticked in the list (each "id:version") and the portfolio they go to."""

    accounts = forms.MultipleChoiceField(label=_("Accounts"), required=True)
    target = forms.ModelChoiceField(
        label=_("Move to portfolio"), queryset=Portfolio.objects.none(), empty_label="—"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Portfolio.objects.active().select_related("owner")  # type: ignore[attr-defined]
        self.fields["accounts"].error_messages["required"] = _("Tick at least one account.")
        self.style_widgets()

    def clean_accounts(self) -> dict[int, int]:
        return parse_account_versions(self.cleaned_data["accounts"])

    def full_clean(self) -> None:
        # Any "id:version" is acceptable here: the service says which accounts do not exist.
        if self.is_bound:
            self.fields["accounts"].choices = [(v, v) for v in self.data.getlist("accounts")]  # type: ignore[attr-defined]
        super().full_clean()


class AccountPortfolioForm(BootstrapFormMixin, forms.Form):
    """One account's portfolio, or none."""

    portfolio = forms.ModelChoiceField(
        label=_("Portfolio"), queryset=Portfolio.objects.none(), required=False, empty_label=_("No portfolio")
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"portfolio": account.portfolio_id, "version": account.version})
        super().__init__(*args, **kwargs)
        portfolios = Portfolio.objects.active()
        if account.portfolio_id:
            portfolios = portfolios | Portfolio.objects.filter(pk=account.portfolio_id)
        self.fields["portfolio"].queryset = portfolios.select_related("owner").order_by("name")  # type: ignore[attr-defined]
        self.style_widgets()


class TerritoryForm(BootstrapFormMixin, forms.Form):
    """A territory's name, place in the tree, responsible salesperson and regions."""

    name = forms.CharField(label=_("Name"), max_length=120)
    parent = forms.ModelChoiceField(
        label=_("Parent territory"), queryset=Territory.objects.none(), required=False, empty_label="—"
    )
    responsible = UserChoiceField(
        label=_("Responsible"), queryset=portfolio_owner_candidates(), required=False, empty_label="—"
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Accounts in these regions fall in this territory. A region belongs to one territory."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, territory: Territory | None = None, **kwargs: Any) -> None:
        own = sorted(territory.regions.values_list("region", flat=True)) if territory is not None else []
        if territory is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": territory.name,
                "parent": territory.parent_id,
                "responsible": territory.responsible_id,
                "regions": own,
                "version": territory.version,
            }
        super().__init__(*args, **kwargs)
        parents = Territory.objects.order_by("name")
        if territory is not None:
            parents = parents.exclude(pk__in=territory_descendant_ids(territory))
            self.fields["version"].required = True
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["responsible"].queryset = portfolio_owner_candidates()  # type: ignore[attr-defined]
        codes = {code for code, _name in region_choices(MAP_COUNTRY)} | set(own)
        self.fields["regions"].choices = sorted(  # type: ignore[attr-defined]
            ((code, region_name(code)) for code in codes), key=lambda item: normalize(item[1])
        )
        self.style_widgets()

    def style_widgets(self) -> None:
        super().style_widgets()
        self.fields["regions"].widget.attrs["class"] = "form-check-input"

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data
