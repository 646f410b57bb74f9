"""The order import: millions of lines validated in one streaming pass, then written in bulk.

Validation keeps only what the write needs in memory (one entry per order, one integer per line for
the duplicate check); each good line is spooled to a temporary file already in COPY text form with its
cents computed by cartera.commerce.amounts.line_amounts. The write reserves the new orders' keys, copies
the orders and then the spooled lines into the real tables, updates the lines that changed, writes one
audit record, and queues the affected accounts' insights refresh for after the commit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cartera.accounts.models import Account
from cartera.commerce.amounts import line_amounts
from cartera.commerce.models import Channel, Order, OrderLine, Product, PurchaseType
from cartera.core.audit import audit_record
from cartera.core.models import AuditRecord
from cartera.dataio import converters as conv
from cartera.dataio.base import PROGRESS_EVERY, AccountRefs, ImportContext, Importer
from cartera.dataio.bulk import (
    NULL,
    IdAllocator,
    RowStream,
    copy_field,
    lock_references,
    restore_row_checks,
    skip_row_checks,
)
from cartera.dataio.converters import CellError
from cartera.dataio.kinds import KINDS, Mapping
from cartera.dataio.readers import Table
from cartera.dataio.report import FileResult
from cartera.insights.tasks import queue_insights_refresh

ORDER_COLUMNS = [
    "id",
    "account_id",
    "number",
    "date",
    "channel",
    "purchase_type",
    "note",
    "created_by_id",
    "version",
    "created_at",
    "updated_at",
]
LINE_COLUMNS = [
    "order_id",
    "product_id",
    "quantity",
    "unit_price",
    "unit_cost",
    "discount_pct",
    "revenue_cents",
    "cogs_cents",
    "gross_cents",
    "created_at",
    "updated_at",
]
_LINE_KEY = 1 << 40  # line key = order index * _LINE_KEY + product id
_CACHE_LIMIT = 100_000
# Below this, Decimal's 28 significant digits hold every product line_amounts computes, exactly.
_EXACT_LIMIT = 10**28

Scaled = tuple[Decimal, int, str]


def _scaled(value: Decimal, places: int) -> Scaled:
    """A number of at most `places` decimals, with its integer count of 10**-places units and its text."""
    return value, int(value.scaleb(places)), str(value)


def line_cents(quantity: int, price: int, discount: int, cost: int) -> tuple[int, int, int] | None:
    """line_amounts in integers: quantity in thousandths, price and cost in cents, discount in hundredths
    of a percent. The same cents as the Decimal computation (rounded half up; every amount is zero or
    positive), or None when a product would exceed the digits within which that computation is exact."""
    gross = quantity * price
    if gross * 10_000 >= _EXACT_LIMIT or quantity * cost >= _EXACT_LIMIT:
        return None
    return (
        (gross * (10_000 - discount) + 5_000_000) // 10_000_000,
        (quantity * cost + 500) // 1000,
        (gross + 500) // 1000,
    )


def _nothing(*args: Any) -> None:
    return None


class OrderHeader:
    """One order named in the file: who, when, how, and where it stands in the database."""

    __slots__ = (
        "account_id",
        "channel",
        "date",
        "existing_id",
        "first_row",
        "lines",
        "number",
        "order_id",
        "purchase_type",
    )

    def __init__(
        self, number: str, account_id: int, date: dt.date, channel: str, purchase_type: str, first_row: int
    ) -> None:
        self.number = number
        self.account_id = account_id
        self.date = date
        self.channel = channel
        self.purchase_type = purchase_type
        self.first_row = first_row
        self.existing_id: int | None = None
        self.order_id: int | None = None  # the stored order's, or the one reserved for a new order
        self.lines = 0


class OrderImporter(Importer):
    """Orders, one row per line; upsert key order_number + sku."""

    kind = KINDS["orders"]

    def __init__(self, context: ImportContext, mapping: Mapping, result: FileResult) -> None:
        super().__init__(context, mapping, result)
        self.headers: list[OrderHeader] = []
        self.header_updates: dict[int, OrderHeader] = {}
        self.line_updates: list[tuple[int, Decimal, Decimal, Decimal | None, Decimal, int, int, int]] = []
        self.new_lines = 0
        # The (account, date) days whose daily facts the import changes: the insights refresh rebuilds
        # only these, including the old date of an order the file moves to another day.
        self.touched_days: set[tuple[int, dt.date]] = set()
        self.used_products: set[int] = set()
        self.lines_stream: RowStream | None = None
        self.orders_stream: RowStream | None = None
        self.order_ids: IdAllocator | None = None
        self.row_checks_skipped = False
        self.now = timezone.now()

    def validate(self, table: Table) -> None:
        context = self.context
        sink = self.sink
        progress = context.progress
        positions = self.mapping.positions
        width = max(positions.values()) + 1
        i_number = positions["order_number"]
        i_tax = positions["account_tax_id"]
        i_date = positions["order_date"]
        i_sku = positions["sku"]
        i_quantity = positions["quantity"]
        i_price = positions["unit_price"]
        i_country = positions.get("account_country")
        i_cost = positions.get("unit_cost")
        i_discount = positions.get("discount_pct")
        i_channel = positions.get("channel")
        i_type = positions.get("purchase_type")

        accounts = AccountRefs(context)
        account_id = accounts.account_id
        products = {
            sku: (pk, (cost, _scaled(cost, 2)[1]))
            for sku, pk, cost in Product.objects.values_list("sku", "pk", "unit_cost")
        }
        comma = context.decimal_comma
        to_date = conv.date()
        to_quantity = conv.decimal(places=3, max_digits=14, decimal_comma=comma, positive=True)
        to_price = conv.decimal(places=2, max_digits=18, decimal_comma=comma)
        to_cost = conv.decimal(places=2, max_digits=18, decimal_comma=comma, required=False)
        to_discount = conv.decimal(
            places=2, max_digits=5, decimal_comma=comma, required=False, maximum=Decimal(100)
        )
        to_channel = conv.choice(Channel.choices)
        to_type = conv.choice(PurchaseType.choices)

        orders_by_number: dict[str, int] = {}
        headers = self.headers
        line_rows: dict[int, int] = {}
        # Accounts without any order need no lookup of their orders (a first import of a history).
        existing_orders: dict[int, dict[str, tuple[Any, ...]]] = {
            account: {} for account in set(accounts.by_key.values()) - self._accounts_with_orders()
        }
        existing_lines: dict[int, dict[tuple[int, int], tuple[Any, ...]]] = {}
        # Good lines go to the table as they are read (see write_while_validating), unless a problem in
        # an all-or-nothing import means nothing will be kept.
        writing = self.write_while_validating and not (self.all_or_nothing and sink.count)
        stream = self._open_streams() if writing else None
        pause = stream.pause if stream is not None else _nothing
        copying = stream is not None and stream.copying
        send = stream.write if stream is not None else _nothing
        append = stream.append if stream is not None else _nothing
        allocate = self.order_ids.next if self.order_ids is not None else int
        stamp = connection.ops.adapt_datetimefield_value(self.now)
        stamps = f"\t{stamp}\t{stamp}\n"
        all_or_nothing = self.all_or_nothing
        written = 0
        known_accounts: dict[str, int] = {}
        known_dates: dict[str, dt.date] = {}
        # Numbers as (value, value in its smallest unit, text), by the text the file writes them as.
        quantities: dict[str, Scaled] = {}
        prices: dict[str, Scaled] = {}
        discounts: dict[str, Scaled] = {}
        no_discount = _scaled(Decimal("0"), 2)
        used_products = self.used_products
        add = sink.add
        count = 0

        for number, values in table.rows:
            count += 1
            if count % PROGRESS_EVERY == 0:
                progress("validating", count, 0)
            if len(values) < width:
                values = values + [""] * (width - len(values))
            problems = sink.count

            order_number = values[i_number].strip()
            if not order_number:
                add(number, "order_number", "", _("A value is required."))
            elif len(order_number) > 40:
                add(number, "order_number", order_number, _("At most %(limit)d characters.") % {"limit": 40})
            raw = values[i_tax]
            account = known_accounts.get(raw) if i_country is None else None
            if account is None:
                try:
                    account = account_id(raw, values[i_country] if i_country is not None else "")
                    if i_country is None and len(known_accounts) < 100_000:
                        known_accounts[raw] = account
                except CellError as error:
                    add(number, "account_tax_id", raw, error.message)
                    account = 0
            raw = values[i_date]
            date = known_dates.get(raw)
            if date is None:
                try:
                    date = to_date(raw)
                    if len(known_dates) < 100_000:
                        known_dates[raw] = date
                except CellError as error:
                    add(number, "order_date", raw, error.message)
            raw = values[i_sku].strip()
            product = products.get(raw)
            if product is None:
                add(
                    number,
                    "sku",
                    raw,
                    _("No product has the SKU %(sku)s.") % {"sku": raw} if raw else _("A value is required."),
                )
            raw = values[i_quantity]
            quantity = quantities.get(raw)
            if quantity is None:
                try:
                    quantity = _scaled(to_quantity(raw), 3)
                    if len(quantities) < _CACHE_LIMIT:
                        quantities[raw] = quantity
                except CellError as error:
                    add(number, "quantity", raw, error.message)
            raw = values[i_price]
            price = prices.get(raw)
            if price is None:
                try:
                    price = _scaled(to_price(raw), 2)
                    if len(prices) < _CACHE_LIMIT:
                        prices[raw] = price
                except CellError as error:
                    add(number, "unit_price", raw, error.message)
            cost = None
            if i_cost is not None:
                raw = values[i_cost]
                cost = prices.get(raw)
                if cost is None and raw.strip():
                    try:
                        cost = _scaled(to_cost(raw), 2)
                        if len(prices) < _CACHE_LIMIT:
                            prices[raw] = cost
                    except CellError as error:
                        add(number, "unit_cost", raw, error.message)
            discount = no_discount
            if i_discount is not None:
                raw = values[i_discount]
                found = discounts.get(raw)
                if found is not None:
                    discount = found
                elif raw.strip():
                    try:
                        discount = _scaled(to_discount(raw), 2)
                        if len(discounts) < _CACHE_LIMIT:
                            discounts[raw] = discount
                    except CellError as error:
                        add(number, "discount_pct", raw, error.message)
            channel = ""
            if i_channel is not None:
                raw = values[i_channel]
                try:
                    channel = to_channel(raw)
                except CellError as error:
                    add(number, "channel", raw, error.message)
            purchase_type = ""
            if i_type is not None:
                raw = values[i_type]
                try:
                    purchase_type = to_type(raw)
                except CellError as error:
                    add(number, "purchase_type", raw, error.message)
            if sink.count != problems or date is None or quantity is None or price is None:
                continue

            # The order: the first row naming it sets account, date, channel and purchase type.
            index = orders_by_number.get(order_number)
            if index is None:
                index = len(headers)
                orders_by_number[order_number] = index
                header = OrderHeader(
                    order_number,
                    account,
                    date,
                    channel or Channel.IMPORT,
                    purchase_type or PurchaseType.STRAIGHT_REBUY,
                    number,
                )
                headers.append(header)
                stored = existing_orders.get(account)
                if stored is None:
                    pause()
                    stored = existing_orders[account] = {
                        row[0]: row[1:]
                        for row in Order.objects.filter(account_id=account).values_list(
                            "number", "pk", "date", "channel", "purchase_type"
                        )
                    }
                stored_order = stored.get(order_number)
                if stored_order is not None:
                    self._compare_header(header, stored_order, channel, purchase_type)
                elif writing and not copying and not (all_or_nothing and sink.count):
                    # SQLite: the order goes in before its lines (PostgreSQL: after them, see write).
                    header.order_id = allocate()
                    self.orders_stream.append(self._order_row(header, stamp))  # type: ignore[union-attr]
            else:
                header = headers[index]
                if header.account_id != account:
                    add(
                        number,
                        "account_tax_id",
                        values[i_tax],
                        _("Order %(order)s belongs to another account in row %(row)d.")
                        % {"order": order_number, "row": header.first_row},
                    )
                    continue
                if header.date != date:
                    add(
                        number,
                        "order_date",
                        values[i_date],
                        _("Order %(order)s is dated %(date)s in row %(row)d.")
                        % {"order": order_number, "date": header.date.isoformat(), "row": header.first_row},
                    )
                    continue

            product_id, product_cost = product  # type: ignore[misc]
            key = index * _LINE_KEY + product_id
            first = line_rows.get(key)
            if first is not None:
                add(
                    number,
                    "sku",
                    values[i_sku],
                    _("Duplicate row: order %(order)s already has this SKU in row %(row)d.")
                    % {"order": order_number, "row": first},
                )
                continue
            line_rows[key] = number
            used_products.add(product_id)
            if cost is None:
                cost_value, cost_cents = product_cost
            else:
                cost_value, cost_cents = cost[0], cost[1]
            amounts = line_cents(quantity[1], price[1], discount[1], cost_cents)
            if amounts is None:  # too many digits for the exact shortcut
                amounts = line_amounts(
                    quantity=quantity[0], unit_price=price[0], discount_pct=discount[0], unit_cost=cost_value
                )
            revenue, cogs, gross = amounts
            if header.existing_id is not None:
                lines = existing_lines.get(account)
                if lines is None:
                    pause()
                    lines = existing_lines[account] = self._stored_lines(account)
                stored_line = lines.get((header.existing_id, product_id))
                if stored_line is not None:
                    line_id, *stored_values = stored_line
                    typed = (quantity[0], price[0], None if cost is None else cost[0], discount[0])
                    if stored_values == list(typed):
                        self.result.unchanged += 1
                    else:
                        self.line_updates.append((line_id, *typed, revenue, cogs, gross))
                        self.touched_days.add((account, header.date))
                    continue
            header.lines += 1
            self.touched_days.add((account, header.date))
            self.new_lines += 1
            if not writing:
                continue
            if all_or_nothing and sink.count:
                writing = False  # nothing will be kept
                continue
            order_id = header.order_id
            if order_id is None:
                order_id = header.order_id = allocate()
            if copying:
                send(
                    f"{order_id}\t{product_id}\t{quantity[2]}\t{price[2]}\t{NULL if cost is None else cost[2]}"
                    f"\t{discount[2]}\t{revenue}\t{cogs}\t{gross}{stamps}"
                )
            else:
                append(
                    (
                        order_id,
                        product_id,
                        quantity[2],
                        price[2],
                        None if cost is None else cost[2],
                        discount[2],
                        revenue,
                        cogs,
                        gross,
                        stamp,
                        stamp,
                    )
                )
            written += 1
            if written % PROGRESS_EVERY == 0:
                progress("writing lines", written, count)
        if stream is not None:
            stream.pause()
        self.lines_written = written
        self.result.rows = count

    @staticmethod
    def _accounts_with_orders() -> set[int]:
        return set(Order.objects.order_by().values_list("account_id", flat=True).distinct())

    def _compare_header(
        self, header: OrderHeader, stored: tuple[Any, ...], channel: str, purchase_type: str
    ) -> None:
        """Note what the file changes in an order already stored (an empty cell changes nothing)."""
        order_id, date, stored_channel, stored_type = stored
        header.existing_id = order_id
        header.channel = channel or stored_channel
        header.purchase_type = purchase_type or stored_type
        if (header.date, header.channel, header.purchase_type) != (date, stored_channel, stored_type):
            self.header_updates[order_id] = header
            self.touched_days.update({(header.account_id, date), (header.account_id, header.date)})

    def _stored_lines(self, account: int) -> dict[tuple[int, int], tuple[Any, ...]]:
        return {
            (order_id, product_id): (pk, quantity, price, cost, discount)
            for pk, order_id, product_id, quantity, price, cost, discount in OrderLine.objects.filter(
                order__account_id=account
            ).values_list(
                "pk", "order_id", "product_id", "quantity", "unit_price", "unit_cost", "discount_pct"
            )
        }

    def _open_streams(self) -> RowStream:
        """Start writing lines: a stream into the lines' table, keys for the new orders, and (PostgreSQL)
        foreign keys checked once per referenced row instead of once per line (see write)."""
        orders = self.orders_stream = RowStream(Order, ORDER_COLUMNS)
        # SQLite inserts each batch of orders before the batch of lines that names them.
        stream = self.lines_stream = RowStream(OrderLine, LINE_COLUMNS, before_insert=orders.pause)
        self.order_ids = IdAllocator(Order, before_query=stream.pause)
        self.row_checks_skipped = skip_row_checks([Order, OrderLine])
        return stream

    def _order_row(self, header: OrderHeader, stamp: Any) -> tuple[Any, ...]:
        actor_id = getattr(self.context.actor, "pk", None)
        return (
            header.order_id,
            header.account_id,
            header.number,
            header.date.isoformat(),
            header.channel,
            header.purchase_type,
            "",
            actor_id,
            1,
            stamp,
            stamp,
        )

    def write(self) -> None:
        """The lines are already in (written while validating); add the new orders, apply the changes to
        stored ones, and record the batch."""
        if self.lines_stream is None:
            raise RuntimeError("the order lines were not written while validating")
        self.lines_stream.close()
        progress = self.context.progress
        actor = self.context.actor
        actor_id = getattr(actor, "pk", None)
        new_headers = [h for h in self.headers if h.existing_id is None and h.order_id is not None]
        progress("writing orders", 0, len(new_headers))
        if self.row_checks_skipped:
            lock_references(
                [
                    (Account, {h.account_id for h in new_headers}),
                    (Order, {h.existing_id for h in self.headers if h.existing_id is not None and h.lines}),
                    (Product, self.used_products),
                    (get_user_model(), [actor_id] if actor_id is not None else []),
                ]
            )
        orders = self.orders_stream
        assert orders is not None
        if orders.copying:  # PostgreSQL: the orders follow their lines (the COPY of lines had the connection)
            stamp = connection.ops.adapt_datetimefield_value(self.now)
            created_by = NULL if actor_id is None else str(actor_id)
            stamps = f"\t{stamp}\t{stamp}\n"
            for h in new_headers:
                orders.write(
                    f"{h.order_id}\t{h.account_id}\t{copy_field(h.number)}\t{h.date.isoformat()}"
                    f"\t{h.channel}\t{h.purchase_type}\t\t{created_by}\t1{stamps}"
                )
        orders.close()
        if self.row_checks_skipped:
            restore_row_checks()
            self.row_checks_skipped = False
        self._update_stored()
        audit_record(
            actor=actor,
            action=AuditRecord.Action.BULK_CREATE,
            object_type="commerce.order",
            object_repr=self.context.source[:200],
            changes={
                "orders": len(new_headers),
                "lines": self.new_lines,
                "orders_updated": len(self.header_updates),
                "lines_updated": len(self.line_updates),
            },
        )
        queue_insights_refresh((), days=self.touched_days)
        self.result.created = self.new_lines
        self.result.updated = len(self.line_updates)
        self.result.extra = {"orders_created": len(new_headers), "orders_updated": len(self.header_updates)}

    def _update_stored(self) -> None:
        """Apply the file's changes to orders and lines already stored (re-imports after a correction)."""
        now = timezone.now()
        for order_id, header in self.header_updates.items():
            Order.objects.filter(pk=order_id).update(
                date=header.date,
                channel=header.channel,
                purchase_type=header.purchase_type,
                version=F("version") + 1,
                updated_at=now,
            )
        lines = []
        for line_id, quantity, price, cost, discount, revenue, cogs, gross in self.line_updates:
            line = OrderLine(
                pk=line_id,
                quantity=quantity,
                unit_price=price,
                unit_cost=cost,
                discount_pct=discount,
                revenue_cents=revenue,
                cogs_cents=cogs,
                gross_cents=gross,
                updated_at=now,
            )
            lines.append(line)
        fields = [
            "quantity",
            "unit_price",
            "unit_cost",
            "discount_pct",
            "revenue_cents",
            "cogs_cents",
            "gross_cents",
            "updated_at",
        ]
        OrderLine.objects.bulk_update(lines, fields, batch_size=1000)

    def close(self) -> None:
        """After a failure or a refusal: end a COPY left open and the skipped row checks, so that the
        transaction can go on to the next file or be rolled back."""
        for stream in (self.lines_stream, self.orders_stream):
            if stream is None:
                continue
            if connection.needs_rollback:
                stream.abandon()
            else:
                stream.close()
        if self.row_checks_skipped and not connection.needs_rollback:
            restore_row_checks()
            self.row_checks_skipped = False
