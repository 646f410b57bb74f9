"""What is sold (product lines, products) and what clients bought (orders and their lines)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cartera.commerce.amounts import from_cents, line_amounts
from cartera.commerce.querysets import OrderLineQuerySet, OrderQuerySet, ProductQuerySet
from cartera.core.models import TimeStampedModel, VersionedModel


class ProductLine(VersionedModel):
    """A family of products, covered on accounts by product specialists."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(VersionedModel):
    """Something sold, with its list price and unit cost."""

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    product_line = models.ForeignKey(
        ProductLine, verbose_name=_("product line"), on_delete=models.PROTECT, related_name="products"
    )
    list_price = models.DecimalField(
        _("list price"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    unit_cost = models.DecimalField(
        _("unit cost"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Channel(models.TextChoices):
    SALES_REP = "sales_rep", _("Sales representative")
    PORTAL = "portal", _("Client portal")
    IMPORT = "import", _("Imported from the ERP")


class PurchaseType(models.TextChoices):
    STRAIGHT_REBUY = "straight_rebuy", _("Straight rebuy")
    MODIFIED_REBUY = "modified_rebuy", _("Modified rebuy")
    NEW_BUY = "new_buy", _("New buy")


class Order(VersionedModel):
    """What a client bought on one date, through one channel."""

    # Found by the (account, date) index below, which also serves lookups by account alone.
    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
    )
    number = models.CharField(_("number"), max_length=40)
    date = models.DateField(_("date"))
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.SALES_REP
    )
    purchase_type = models.CharField(
        _("purchase type"), max_length=16, choices=PurchaseType.choices, default=PurchaseType.STRAIGHT_REBUY
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "number"], name="order_unique_number_per_account")
        ]
        indexes = [
            models.Index(fields=["account", "date"], name="order_account_date_idx"),
            models.Index(fields=["date"], name="order_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.date:%Y-%m-%d})"


class OrderLine(TimeStampedModel):
    """One product on an order: quantity, price, cost and discount as agreed that day."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="order_lines"
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    unit_cost = models.DecimalField(
        _("unit cost"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Empty: the product's unit cost applies."),
    )
    discount_pct = models.DecimalField(
        _("discount %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )

    # Computed by the commerce services when the line is written (cartera.commerce.amounts).
    revenue_cents = models.BigIntegerField(_("revenue (cents)"), default=0, editable=False)
    cogs_cents = models.BigIntegerField(_("cost of goods (cents)"), default=0, editable=False)
    gross_cents = models.BigIntegerField(_("gross value (cents)"), default=0, editable=False)

    objects = OrderLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(discount_pct__gte=0, discount_pct__lte=100),
                name="order_line_discount_0_100",
            ),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"

    @property
    def revenue(self) -> Decimal:
        return from_cents(self.revenue_cents)

    @property
    def cogs(self) -> Decimal:
        return from_cents(self.cogs_cents)

    def compute_amounts(self, product_unit_cost: Decimal) -> None:
        """Fill the stored cents from quantity, price, discount and cost (the line's, else the product's)."""
        self.revenue_cents, self.cogs_cents, self.gross_cents = line_amounts(
            quantity=Decimal(self.quantity),
            unit_price=Decimal(self.unit_price),
            discount_pct=Decimal(self.discount_pct),
            unit_cost=Decimal(self.unit_cost if self.unit_cost is not None else product_unit_cost),
        )
