"""Forms of the pipeline pages: they parse input; the services validate and write."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartera.accounts.forms import CURRENCIES, BootstrapFormMixin
from cartera.accounts.models import Account, BuyingRole, Contact
from cartera.commerce.models import ProductLine, PurchaseType
from cartera.pipeline.models import OPEN_STAGES, CloseReason, Opportunity, Stage
from cartera.users.models import ROLES_EDITING, User

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def plain_number(value: Decimal) -> Decimal | int:
    """12.00 -> 12 and 7.50 -> 7.5, as a person would type them."""
    if value == value.to_integral_value():
        return int(value)
    return value.quantize(Decimal("0.1")) if value == value.quantize(Decimal("0.1")) else value


def role_field_name(contact: Contact) -> str:
    return f"role_{contact.pk}"


class OpportunityForm(BootstrapFormMixin, forms.Form):
    """What an opportunity is about, and who at the account takes part in it with which role."""

    account = forms.ModelChoiceField(label=_("Account"), queryset=Account.objects.none(), empty_label="—")
    name = forms.CharField(label=_("Name"), max_length=200)
    product_line = forms.ModelChoiceField(
        label=_("Product line"), queryset=ProductLine.objects.all(), required=False, empty_label="—"
    )
    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=[(stage.value, stage.label) for stage in OPEN_STAGES],
        initial=Stage.QUALIFICATION,
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=[(code, code) for code in CURRENCIES])
    discount_pct = forms.DecimalField(
        label=_("Expected discount %"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        required=False,
        localize=True,
        help_text=_(
            "The terms the purchase type compares with the account's last purchase of the line; empty: the same terms."
        ),
    )
    probability = forms.IntegerField(
        label=_("Probability %"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Empty: the stage's usual probability."),
    )
    expected_close_date = forms.DateField(label=_("Expected close"), widget=DATE_INPUT)
    owner = forms.ModelChoiceField(
        label=_("Deal owner"), queryset=User.objects.none(), required=False, empty_label="—"
    )
    purchase_type = forms.ChoiceField(label=_("Purchase type"), choices=PurchaseType.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        user: Any,
        opportunity: Opportunity | None = None,
        account: Account | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.opportunity = opportunity
        account_field: Any = self.fields["account"]
        account_field.queryset = Account.objects.editable_by(user).only("pk", "legal_name", "trade_name")
        if opportunity is not None:
            account = opportunity.account
            del self.fields["stage"]
            account_field.disabled = True
            self.initial.update(
                account=opportunity.account_id,
                name=opportunity.name,
                product_line=opportunity.product_line_id,
                amount=plain_number(opportunity.amount),
                currency=opportunity.currency,
                discount_pct=plain_number(opportunity.discount_pct),
                probability=opportunity.probability,
                expected_close_date=opportunity.expected_close_date,
                owner=opportunity.owner_id,
                purchase_type=opportunity.purchase_type,
                version=opportunity.version,
            )
        elif account is not None:
            self.initial.update(account=account.pk, currency=account.currency)
        self.deal_account = account
        if account is not None:
            # The purchase-type hint follows the line and the terms as they are chosen.
            for name in ("product_line", "discount_pct"):
                self.fields[name].widget.attrs.update(
                    {
                        "hx-get": f"{reverse('pipeline:suggestion')}?account={account.pk}",
                        "hx-trigger": "change",
                        "hx-target": "#purchase-type-hint",
                        "hx-swap": "outerHTML",
                        "hx-include": "#id_product_line, #id_discount_pct",
                    }
                )
        owner_field: Any = self.fields["owner"]
        if getattr(user, "manages_everything", False):
            owner_field.queryset = User.objects.filter(is_active=True, role__in=ROLES_EDITING).order_by(
                "first_name", "last_name", "pk"
            )
            if opportunity is None:
                self.initial.setdefault("owner", user.pk)
        else:
            del self.fields["owner"]
        self.fields["version"].required = opportunity is not None
        self.fields["discount_pct"].required = opportunity is not None
        self.contacts: list[Contact] = []
        if account is not None:
            self.contacts = list(
                account.contacts.filter(is_active=True).order_by("last_name", "first_name", "pk")
            )
        roles = {}
        if opportunity is not None:
            roles = dict(opportunity.contact_roles.values_list("contact_id", "role"))
        for contact in self.contacts:
            self.fields[role_field_name(contact)] = forms.ChoiceField(
                label=contact.full_name,
                choices=[("", _("Not on this deal")), *BuyingRole.choices],
                required=False,
                initial=roles.get(contact.pk, ""),
            )
        self.style_widgets()

    @property
    def role_fields(self) -> list[Any]:
        return [(contact, self[role_field_name(contact)]) for contact in self.contacts]

    @property
    def detail_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if not name.startswith("role_") and name != "version"]

    def roles(self) -> dict[Contact, str]:
        """The role chosen for each contact of the account ("" for not on the deal)."""
        return {contact: self.cleaned_data.get(role_field_name(contact)) or "" for contact in self.contacts}

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {
            "name": data["name"],
            "product_line": data["product_line"],
            "amount_cents": to_cents(data["amount"]),
            "currency": data["currency"],
            "discount_pct": data["discount_pct"],
            "expected_close_date": data["expected_close_date"],
            "purchase_type": data["purchase_type"],
        }
        if "owner" in self.fields:
            values["owner"] = data["owner"]
        return values


class CloseForm(BootstrapFormMixin, forms.Form):
    """Win or lose a deal: the outcome, why (required when lost), a note and the date."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(Stage.WON.value, Stage.WON.label), (Stage.LOST.value, Stage.LOST.label)],
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", "—"), *CloseReason.choices],
        required=False,
        help_text=_("Required when the deal was lost."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE_INPUT)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, opportunity: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("closed_on", timezone.localdate())
        self.initial.setdefault("version", opportunity.version)
        self.style_widgets()
        self.fields["outcome"].widget.attrs["class"] = "form-check-input"


class MoveForm(forms.Form):
    """A move on the board: the stage, and the version the card showed."""

    stage = forms.ChoiceField(choices=[(stage.value, stage.label) for stage in OPEN_STAGES])
    version = forms.IntegerField(min_value=1)
