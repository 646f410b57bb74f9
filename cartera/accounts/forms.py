"""Forms of the staff UI for accounts and contacts: they parse input; the services validate and write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartera.accounts.models import Account, Contact
from cartera.commerce.models import ProductLine
from cartera.core.phones import format_phone
from cartera.core.regions import localized_country_choices, region_choices
from cartera.core.taxid import tax_id_label
from cartera.core.text import normalize
from cartera.coverage.models import AccountTeamMember, Portfolio, TeamRole
from cartera.relationship.models import CommitmentStatus, InteractionKind
from cartera.users.models import Role, User

CURRENCIES = ["CLP", "ARS", "MXN", "COP", "PEN", "EUR", "UYU", "USD", "BRL"]


def _model_field(model: type, name: str, **kwargs: Any) -> forms.Field:
    """The form field Django derives from a model field: its translated label, help text and limits."""
    field = model._meta.get_field(name).formfield(**kwargs)  # type: ignore[attr-defined]
    assert field is not None
    return field


class BootstrapFormMixin:
    """Gives every widget Bootstrap's class, and marks the ones with errors as invalid."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self.style_widgets()

    def style_widgets(self) -> None:
        form: forms.BaseForm = self  # type: ignore[assignment]
        for name, field in form.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            if form.is_bound and name in form.errors:
                css += " is-invalid"
                widget.attrs["aria-describedby"] = f"{form[name].auto_id}-errors"
            widget.attrs["class"] = css

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's ValidationError on the fields it names; the rest above the form."""
        form: forms.BaseForm = self  # type: ignore[assignment]
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        self.style_widgets()


class AccountForm(BootstrapFormMixin, forms.Form):
    """The fields of an account that people edit; `version` guards against overwriting someone else."""

    legal_name = _model_field(Account, "legal_name")
    trade_name = _model_field(Account, "trade_name")
    country = forms.ChoiceField(label=_("Country"))
    tax_id = forms.CharField(label=_("Tax id"), max_length=32)
    region = forms.ChoiceField(label=_("Region"), required=False)
    city = _model_field(Account, "city")
    industry = _model_field(Account, "industry")
    size_band = _model_field(Account, "size_band")
    status = _model_field(Account, "status")
    portfolio = forms.ModelChoiceField(
        label=_("Portfolio"), queryset=Portfolio.objects.none(), required=False, empty_label="—"
    )
    strategic_fit = forms.TypedChoiceField(
        label=_("Strategic fit"),
        choices=[("", "—"), *[(n, str(n)) for n in range(1, 6)]],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("From 1 (poor fit) to 5 (ideal client)."),
    )
    strategic_fit_note = _model_field(Account, "strategic_fit_note")
    language = _model_field(Account, "language")
    currency = forms.ChoiceField(label=_("Currency"), choices=[(code, code) for code in CURRENCIES])
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, account: Account | None = None, **kwargs: Any) -> None:
        if account is not None and "initial" not in kwargs:
            kwargs["initial"] = account_initial(account)
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["country"].choices = localized_country_choices()  # type: ignore[attr-defined]
        self.fields["region"].choices = region_select_choices(self.selected_country)  # type: ignore[attr-defined]
        self.fields["tax_id"].label = tax_id_label(self.selected_country)
        portfolios = Q(pk__in=Portfolio.objects.visible_to(user).active().values("pk"))
        if account is not None and account.portfolio_id:
            portfolios |= Q(pk=account.portfolio_id)  # keep the current one even if the user may not pick it
        self.fields["portfolio"].queryset = Portfolio.objects.filter(portfolios)  # type: ignore[attr-defined]
        self.fields["version"].required = account is not None
        size_band: Any = self.fields["size_band"]
        size_band.choices = [("", "—"), *[c for c in size_band.choices if c[0]]]
        if account is None and not self.is_bound:
            own = Portfolio.objects.active().filter(owner=user).values_list("pk", flat=True)[:2]
            if len(own) == 1:  # an executive's new account goes to their portfolio unless they say otherwise
                self.initial["portfolio"] = own[0]
        self.style_widgets()

    @property
    def selected_country(self) -> str:
        value = self.data.get("country") if self.is_bound else self.initial.get("country")
        return str(value or "CL").upper()

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as the account services take them."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


def account_initial(account: Account) -> dict[str, Any]:
    names = [name for name in AccountForm.base_fields if name not in {"portfolio", "version"}]
    initial = {name: getattr(account, name) for name in names}
    initial["portfolio"] = account.portfolio_id
    initial["version"] = account.version
    initial["tax_id"] = account.tax_id_display
    return initial


def region_select_choices(country: str) -> list[tuple[str, str]]:
    """The country's regions by name, after an empty choice."""
    return [("", "—"), *sorted(region_choices(country), key=lambda choice: normalize(choice[1]))]


class ContactForm(BootstrapFormMixin, forms.Form):
    """The fields of a contact that people edit."""

    first_name = _model_field(Contact, "first_name")
    last_name = _model_field(Contact, "last_name")
    job_title = _model_field(Contact, "job_title")
    buying_role = _model_field(Contact, "buying_role")
    email = _model_field(Contact, "email")
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        help_text=_("With the country code, or a local number of the account's country."),
    )
    language = _model_field(Contact, "language")
    consents_to_email = _model_field(Contact, "consents_to_email")
    consents_to_calls = _model_field(Contact, "consents_to_calls")
    is_active = _model_field(Contact, "is_active")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, contact: Contact | None = None, **kwargs: Any) -> None:
        if contact is not None and "initial" not in kwargs:
            initial = {name: getattr(contact, name) for name in self.base_fields if name != "phone"}
            initial["phone"] = format_phone(contact.phone)
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields["version"].required = contact is not None
        buying_role: Any = self.fields["buying_role"]
        buying_role.choices = [("", "—"), *[c for c in buying_role.choices if c[0]]]
        if contact is None:
            del self.fields["is_active"]  # a new contact is active
        self.style_widgets()

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


# Quick actions of the account page: each form parses what one service takes.


class _AccountContactsMixin:
    """Offers only the account's active contacts (the services refuse anyone else's)."""

    def limit_contacts(self, account: Account, *names: str) -> None:
        form: forms.BaseForm = self  # type: ignore[assignment]
        contacts = Contact.objects.active().for_account(account)
        for name in names:
            form.fields[name].queryset = contacts  # type: ignore[attr-defined]


class InteractionForm(_AccountContactsMixin, BootstrapFormMixin, forms.Form):
    """A visit, call, meeting, email, event or support contact to log on the account."""

    kind = forms.ChoiceField(label=_("Kind"), choices=InteractionKind.choices)
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    contacts = forms.ModelMultipleChoiceField(
        label=_("With"), queryset=Contact.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_contacts(account, "contacts")
        self.style_widgets()

    def clean_occurred_at(self) -> Any:
        when = self.cleaned_data["occurred_at"]
        if when > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError(_("An interaction is logged once it has happened."), code="future")
        return when

    def style_widgets(self) -> None:
        super().style_widgets()
        self.fields["contacts"].widget.attrs["class"] = "form-check-input"


class CommitmentForm(_AccountContactsMixin, BootstrapFormMixin, forms.Form):
    """A promise made to the client: what, by when, to whom."""

    description = forms.CharField(label=_("What was promised"), max_length=300)
    due_date = forms.DateField(
        label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    promised_to = forms.ModelChoiceField(
        label=_("Promised to"), queryset=Contact.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_contacts(account, "promised_to")
        self.style_widgets()


RESOLUTIONS = [
    (CommitmentStatus.KEPT, _("Kept")),
    (CommitmentStatus.BROKEN, _("Broken")),
    (CommitmentStatus.CANCELLED, _("Cancelled")),
]


class CommitmentResolveForm(forms.Form):
    """How an open commitment ended, with the version it was shown at."""

    status = forms.ChoiceField(choices=RESOLUTIONS)
    version = forms.IntegerField(min_value=1)


class TeamMemberForm(BootstrapFormMixin, forms.Form):
    """A user to put on the account's team; a specialist with the product line they cover."""

    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none(), empty_label="—")
    role = forms.ChoiceField(label=_("Role on the account"), choices=TeamRole.choices)
    product_line = forms.ModelChoiceField(
        label=_("Product line"),
        queryset=ProductLine.objects.none(),
        required=False,
        empty_label="—",
        help_text=_("Required for a product specialist."),
    )

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        user_field: Any = self.fields["user"]
        user_field.queryset = User.objects.filter(is_active=True, role__in=TEAM_ROLES).order_by(
            "first_name", "last_name", "username"
        )
        line_field: Any = self.fields["product_line"]
        line_field.queryset = ProductLine.objects.order_by("name")
        self.style_widgets()

    def clean(self) -> dict[str, Any]:
        """Say who is already on the team in that role (the database constraint would only name itself)."""
        data = super().clean() or {}
        user, role, line = data.get("user"), data.get("role"), data.get("product_line")
        if user is not None and role:
            same = AccountTeamMember.objects.filter(
                account=self.account, user=user, role=role, product_line=line
            )
            if same.exists():
                raise ValidationError(
                    _("%(name)s is already on this account's team in that role."),
                    code="already_on_team",
                    params={"name": user},
                )
        return data


# Who may be put on an account's team: the people who sell to, advise or support clients.
TEAM_ROLES = [
    Role.ACCOUNT_EXECUTIVE,
    Role.SPECIALIST,
    Role.SUPPORT_AGENT,
    Role.SALES_MANAGER,
    Role.ADMINISTRATOR,
]
