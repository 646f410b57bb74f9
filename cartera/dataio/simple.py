"""The importers of the kinds that come in thousands rather than millions: accounts, contacts, products,
service costs, marketing spend, interactions and referrals. Rows are validated with the same converters
as orders, kept in memory, and written through the domain's bulk services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cartera.accounts.models import Account, AccountStatus, BuyingRole, Contact, Industry, Language, SizeBand
from cartera.accounts.services import (
    account_update,
    accounts_bulk_create,
    contact_update,
    contacts_bulk_create,
)
from cartera.commerce.models import Product, ProductLine
from cartera.commerce.services import product_line_create, product_update
from cartera.core.regions import country_name, is_valid_region
from cartera.core.services import models_bulk_create
from cartera.core.taxid import clean_tax_id
from cartera.core.text import normalize
from cartera.costs.models import MarketingSpend, ServiceCost, ServiceCostKind
from cartera.coverage.models import Portfolio
from cartera.dataio import converters as conv
from cartera.dataio.base import AccountRefs, Importer, Row
from cartera.dataio.converters import CellError, message_of
from cartera.dataio.kinds import KINDS
from cartera.insights.tasks import queue_insights_refresh
from cartera.relationship.models import Interaction, InteractionKind, Referral, ReferralKind
from cartera.relationship.services import interactions_bulk_log


def _duplicate(importer: Importer, row: Row, key: Any, seen: dict[Any, int], column: str) -> bool:
    """Report a row whose key an earlier row of the file already gave; remember the key otherwise."""
    first = seen.get(key)
    if first is not None:
        importer.error(
            row, column, row.values.get(column, ""), _("Duplicate row: same as row %(row)d.") % {"row": first}
        )
        return True
    seen[key] = row.number
    return False


class AccountImporter(Importer):
    """Accounts; upsert key country + tax id. Empty cells leave a stored account's value as it is."""

    kind = KINDS["accounts"]

    FIELDS = {
        "name": "legal_name",
        "region": "region",
        "city": "city",
        "industry": "industry",
        "size": "size_band",
        "language": "language",
        "currency": "currency",
        "status": "status",
        "portfolio": "portfolio_id",
        "strategic_fit": "strategic_fit",
    }

    def converters(self) -> dict[str, conv.Converter]:
        portfolios = {normalize(name): pk for pk, name in Portfolio.objects.values_list("pk", "name")}
        users = {
            email.lower(): user
            for user in get_user_model().objects.exclude(email="")
            for email in [user.email]
        }

        def portfolio(raw: str) -> int | None:
            value = raw.strip()
            if not value:
                return None
            try:
                return portfolios[normalize(value)]
            except KeyError:
                raise CellError(_("No portfolio is named %(name)s.") % {"name": value}) from None

        def owner(raw: str) -> Any:
            value = conv.email(raw)
            if not value:
                return None
            try:
                return users[value]
            except KeyError:
                raise CellError(_("No user has the email %(email)s.") % {"email": value}) from None

        def currency(raw: str) -> str:
            value = raw.strip().upper()
            if value and (len(value) != 3 or not value.isalpha()):
                raise CellError(_("A three-letter ISO 4217 code, such as CLP."))
            return value

        def country(raw: str) -> str:
            value = raw.strip().upper() or self.context.default_country
            if country_name(value) == value:
                raise CellError(_("%(country)s is not an ISO 3166 country code.") % {"country": value})
            return value

        return {
            "country": country,
            "tax_id": conv.text(32, required=True),
            "name": conv.text(200, required=True),
            "region": conv.text(8),
            "city": conv.text(100),
            "industry": conv.choice(Industry.choices),
            "size": conv.choice(SizeBand.choices),
            "language": conv.choice(Language.choices),
            "currency": currency,
            "status": conv.choice(AccountStatus.choices),
            "portfolio": portfolio,
            "owner_email": owner,
            "strategic_fit": conv.integer(minimum=1, maximum=5),
        }

    def validate(self, table: Any) -> None:
        self.stored = {(a.country, a.tax_id): a for a in Account.objects.all()}
        self.editable = AccountRefs(self.context).editable
        self.seen: dict[Any, int] = {}
        super().validate(table)

    def check(self, row: Row) -> None:
        values = row.values
        try:
            values["tax_id"] = clean_tax_id(values["country"], values["tax_id"])
        except ValidationError as error:
            self.error(row, "tax_id", values["tax_id"], message_of(error))
            return
        region = values["region"].upper()
        values["region"] = region
        if region and not is_valid_region(values["country"], region):
            self.error(
                row,
                "region",
                region,
                _("%(region)s is not a region of %(country)s.")
                % {"region": region, "country": values["country"]},
            )
            return
        if _duplicate(self, row, (values["country"], values["tax_id"]), self.seen, "tax_id"):
            return
        stored = self.stored.get((values["country"], values["tax_id"]))
        if stored is not None and self.editable is not None and stored.pk not in self.editable:
            self.error(row, "tax_id", values["tax_id"], _("You may not change this account."))

    def write(self) -> None:
        creates: list[dict[str, Any]] = []
        for row in self.rows:
            values = row.values
            fields = {
                self.FIELDS[name]: values[name] for name in self.FIELDS if values.get(name) not in ("", None)
            }
            stored = self.stored.get((values["country"], values["tax_id"]))
            if stored is None:
                creates.append(
                    {
                        "country": values["country"],
                        "tax_id": values["tax_id"],
                        "responsible": values["owner_email"],
                        **fields,
                    }
                )
                continue
            changes = {name: value for name, value in fields.items() if getattr(stored, name) != value}
            if not changes:
                self.result.unchanged += 1
                continue
            try:
                account_update(
                    actor=self.context.actor, account=stored, expected_version=stored.version, **changes
                )
            except ValidationError as error:
                self.error(row, "", "", message_of(error))
                continue
            self.result.updated += 1
        if creates:
            created = accounts_bulk_create(actor=self.context.actor, rows=creates, source=self.context.source)
            self.result.created = len(created)


class ContactImporter(Importer):
    """Contacts; upsert key account + email, else account + first and last name."""

    kind = KINDS["contacts"]
    FIELDS = ("first_name", "last_name", "email", "phone", "buying_role", "language")

    def converters(self) -> dict[str, conv.Converter]:
        return {
            "account_tax_id": conv.text(40, required=True),
            "account_country": conv.text(2),
            "first_name": conv.text(100, required=True),
            "last_name": conv.text(100, required=True),
            "email": conv.email,
            "phone": conv.text(40),
            "buying_role": conv.choice(BuyingRole.choices),
            "language": conv.choice(Language.choices),
        }

    def validate(self, table: Any) -> None:
        self.refs = AccountRefs(self.context)
        self.seen: dict[Any, int] = {}
        super().validate(table)

    def check(self, row: Row) -> None:
        values = row.values
        try:
            values["account"] = self.refs.account_id(values["account_tax_id"], values["account_country"])
        except CellError as error:
            self.error(row, "account_tax_id", values["account_tax_id"], error.message)
            return
        if values["phone"]:
            country = values["account_country"].upper() or self.context.default_country
            try:
                values["phone"] = conv.phone(country)(values["phone"])
            except CellError as error:
                self.error(row, "phone", values["phone"], error.message)
                return
        _duplicate(
            self,
            row,
            self._key(values["account"], values),
            self.seen,
            "email" if values["email"] else "last_name",
        )

    @staticmethod
    def _key(account_id: int, values: dict[str, Any]) -> tuple[Any, ...]:
        if values.get("email"):
            return (account_id, "email", values["email"])
        return (account_id, "name", normalize(values["first_name"]), normalize(values["last_name"]))

    def write(self) -> None:
        account_ids = {row.values["account"] for row in self.rows}
        accounts = Account.objects.in_bulk(account_ids)
        stored: dict[tuple[Any, ...], Contact] = {}
        for contact in Contact.objects.filter(account_id__in=account_ids).select_related("account"):
            stored.setdefault(
                self._key(
                    contact.account_id, {"first_name": contact.first_name, "last_name": contact.last_name}
                ),
                contact,
            )
            if contact.email:
                stored.setdefault((contact.account_id, "email", contact.email), contact)
        creates = []
        for row in self.rows:
            values = row.values
            fields = {name: values[name] for name in self.FIELDS if values.get(name)}
            contact = stored.get(self._key(values["account"], values))
            if contact is None:
                creates.append({"account": accounts[values["account"]], **fields})
                continue
            changes = {name: value for name, value in fields.items() if getattr(contact, name) != value}
            if not changes:
                self.result.unchanged += 1
                continue
            contact_update(
                actor=self.context.actor, contact=contact, expected_version=contact.version, **changes
            )
            self.result.updated += 1
        if creates:
            self.result.created = len(
                contacts_bulk_create(actor=self.context.actor, rows=creates, source=self.context.source)
            )


class ProductImporter(Importer):
    """Products; upsert key SKU. A product line is found by its code or name, and created if new."""

    kind = KINDS["products"]

    def converters(self) -> dict[str, conv.Converter]:
        money = {"places": 2, "max_digits": 18, "decimal_comma": self.context.decimal_comma}
        return {
            "sku": conv.text(64, required=True),
            "name": conv.text(200, required=True),
            "product_line": conv.text(120, required=True),
            "list_price": conv.decimal(**money),  # type: ignore[arg-type]
            "unit_cost": conv.decimal(**money),  # type: ignore[arg-type]
        }

    def validate(self, table: Any) -> None:
        self.seen: dict[Any, int] = {}
        super().validate(table)

    def check(self, row: Row) -> None:
        _duplicate(self, row, row.values["sku"], self.seen, "sku")

    def write(self) -> None:
        actor = self.context.actor
        lines: dict[str, ProductLine] = {}
        for line in ProductLine.objects.all():
            lines[normalize(line.code)] = line
            lines.setdefault(normalize(line.name), line)
        stored = {product.sku: product for product in Product.objects.all()}
        creates = []
        for row in self.rows:
            values = row.values
            line_key = normalize(values["product_line"])
            found = lines.get(line_key)
            if found is None:
                found = lines[line_key] = product_line_create(
                    actor=actor, code=values["product_line"][:32], name=values["product_line"]
                )
            product = stored.get(values["sku"])
            fields = {
                "name": values["name"],
                "product_line": found,
                "list_price": values["list_price"],
                "unit_cost": values["unit_cost"],
            }
            if product is None:
                product = Product(sku=values["sku"], **fields)
                product.full_clean(exclude=["product_line"], validate_unique=False)
                creates.append(product)
                continue
            changes = {name: value for name, value in fields.items() if getattr(product, name) != value}
            if not changes:
                self.result.unchanged += 1
                continue
            product_update(actor=actor, product=product, expected_version=product.version, **changes)
            self.result.updated += 1
        self.result.created = len(
            models_bulk_create(actor=actor, instances=creates, source=self.context.source)
        )


class _AccountRowImporter(Importer):
    """Rows that hang off an account and are only ever added (costs, spend, interactions, referrals)."""

    def validate(self, table: Any) -> None:
        self.refs = AccountRefs(self.context)
        self.seen: dict[Any, int] = {}
        super().validate(table)

    def check(self, row: Row) -> None:
        values = row.values
        try:
            values["account"] = self.refs.account_id(
                values["account_tax_id"], values.get("account_country", "")
            )
        except CellError as error:
            self.error(row, "account_tax_id", values["account_tax_id"], error.message)
            return
        key = tuple(
            (name, value)
            for name, value in values.items()
            if name not in {"account_tax_id", "account_country"}
        )
        _duplicate(self, row, key, self.seen, "account_tax_id")

    def account_converters(self) -> dict[str, conv.Converter]:
        return {
            "account_tax_id": conv.text(40, required=True),
            "account_country": conv.text(2),
            "date": conv.date(),
        }

    def money(self) -> conv.Converter:
        return conv.decimal(places=2, max_digits=18, decimal_comma=self.context.decimal_comma)

    def write_instances(self, instances: list[Any]) -> None:
        created = models_bulk_create(
            actor=self.context.actor, instances=instances, source=self.context.source
        )
        self.result.created = len(created)
        queue_insights_refresh((), days={(instance.account_id, instance.date) for instance in instances})


class ServiceCostImporter(_AccountRowImporter):
    kind = KINDS["service-costs"]

    def converters(self) -> dict[str, conv.Converter]:
        return {
            **self.account_converters(),
            "kind": conv.choice(ServiceCostKind.choices, required=True),
            "amount": self.money(),
            "note": conv.text(300),
        }

    def write(self) -> None:
        self.write_instances(
            [
                ServiceCost(
                    account_id=r.values["account"],
                    date=r.values["date"],
                    kind=r.values["kind"],
                    amount=r.values["amount"],
                    note=r.values["note"],
                )
                for r in self.rows
            ]
        )


class MarketingSpendImporter(_AccountRowImporter):
    kind = KINDS["marketing-spend"]

    def converters(self) -> dict[str, conv.Converter]:
        return {
            **self.account_converters(),
            "campaign": conv.text(200, required=True),
            "amount": self.money(),
        }

    def write(self) -> None:
        self.write_instances(
            [
                MarketingSpend(
                    account_id=r.values["account"],
                    date=r.values["date"],
                    campaign=r.values["campaign"],
                    amount=r.values["amount"],
                )
                for r in self.rows
            ]
        )


class ReferralImporter(_AccountRowImporter):
    kind = KINDS["referrals"]

    def converters(self) -> dict[str, conv.Converter]:
        return {
            **self.account_converters(),
            "referred_company": conv.text(200, required=True),
            "kind": conv.choice(ReferralKind.choices, required=True),
        }

    def write(self) -> None:
        self.write_instances(
            [
                Referral(
                    account_id=r.values["account"],
                    date=r.values["date"],
                    kind=r.values["kind"],
                    referred_company=r.values["referred_company"],
                )
                for r in self.rows
            ]
        )


class InteractionImporter(_AccountRowImporter):
    """Interactions, dated at noon local time of the given day, by a user and with a contact when given."""

    kind = KINDS["interactions"]

    def converters(self) -> dict[str, conv.Converter]:
        return {
            **self.account_converters(),
            "kind": conv.choice(InteractionKind.choices, required=True),
            "user_email": conv.email,
            "contact_email": conv.email,
            "summary": conv.text(5000),
        }

    def validate(self, table: Any) -> None:
        self.users = {user.email.lower(): user for user in get_user_model().objects.exclude(email="")}
        self.contacts: dict[tuple[int, str], Contact] = {}
        super().validate(table)

    def check(self, row: Row) -> None:
        super().check(row)
        values = row.values
        if self.sink.is_rejected(row.number):
            return
        if values["user_email"] and values["user_email"] not in self.users:
            self.error(
                row,
                "user_email",
                values["user_email"],
                _("No user has the email %(email)s.") % {"email": values["user_email"]},
            )
        if values["contact_email"]:
            contact = Contact.objects.filter(
                account_id=values["account"], email=values["contact_email"]
            ).first()
            if contact is None:
                self.error(
                    row,
                    "contact_email",
                    values["contact_email"],
                    _("The account has no contact with the email %(email)s.")
                    % {"email": values["contact_email"]},
                )
            else:
                self.contacts[(values["account"], values["contact_email"])] = contact

    def write(self) -> None:
        entries = []
        for r in self.rows:
            values = r.values
            when = timezone.make_aware(dt.datetime.combine(values["date"], dt.time(12)))
            contact = self.contacts.get((values["account"], values["contact_email"]))
            interaction = Interaction(
                account_id=values["account"],
                kind=values["kind"],
                occurred_at=when,
                summary=values["summary"],
                user=self.users.get(values["user_email"]),
            )
            entries.append((interaction, [contact] if contact else []))
        created = interactions_bulk_log(actor=self.context.actor, entries=entries, source=self.context.source)
        self.result.created = len(created)
        # Interactions are not money facts: only the snapshot (last contact, alerts, churn) changes.
        queue_insights_refresh({interaction.account_id for interaction, _contacts in entries}, days=())


IMPORTERS: dict[str, type[Importer]] = {
    "accounts": AccountImporter,
    "contacts": ContactImporter,
    "products": ProductImporter,
    "service-costs": ServiceCostImporter,
    "marketing-spend": MarketingSpendImporter,
    "interactions": InteractionImporter,
    "referrals": ReferralImporter,
}
