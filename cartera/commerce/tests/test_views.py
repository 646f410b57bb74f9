"""The orders list (filters, search, sorting, paging, query budget, visibility) and the order page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from cartera.accounts.tests.factories import AccountFactory
from cartera.commerce.models import OrderLine
from cartera.commerce.tests.factories import OrderFactory, ProductFactory
from cartera.users.models import Role


def place(account, number, date, *lines, **fields):
    """An order with lines given as (quantity, unit price, unit cost, discount %), amounts computed as
    the services compute them."""
    order = OrderFactory(account=account, number=number, date=date, **fields)
    for quantity, price, cost, discount in lines:
        product = ProductFactory(unit_cost=Decimal(cost))
        line = OrderLine(
            order=order,
            product=product,
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            discount_pct=Decimal(discount),
        )
        line.compute_amounts(product.unit_cost)
        line.save()
    return order


def numbers(response):
    return [order.number for order in response.context["page"].object_list]


@pytest.fixture
def orders(world):
    """Three orders the executive may see (two accounts) and one they may not."""
    return {
        "small": place(world.in_portfolio, "OC-1", dt.date(2026, 3, 1), (1, 1000, 600, 0)),
        "big": place(
            world.in_portfolio,
            "OC-2",
            dt.date(2026, 1, 10),
            (10, 1000, 500, 10),
            (2, 500, 100, 0),
            purchase_type="new_buy",
            channel="portal",
        ),
        "team": place(world.on_team, "OC-3", dt.date(2026, 2, 5), (3, 2000, 1900, 0)),
        "hidden": place(world.elsewhere, "OC-9", dt.date(2026, 4, 1), (1, 9000, 1000, 0)),
    }


def test_the_list_shows_each_orders_lines_revenue_and_margin_newest_first(client, world, orders):
    client.force_login(world.executive)

    response = client.get(reverse("commerce:order_list"))

    assert numbers(response) == ["OC-1", "OC-3", "OC-2"]
    big = response.context["page"].object_list[2]
    # 10 × 1000 less 10 % + 2 × 500 = 10,000 revenue; cost 10 × 500 + 2 × 100 = 5,200
    assert (big.totals.lines, big.totals.revenue_cents, big.totals.margin_cents) == (2, 1_000_000, 480_000)
    assert big.totals.margin_pct == Decimal("48.0")
    html = response.content.decode()
    assert "$10.000" in html  # CLP in Spanish: no decimals, dots for thousands
    assert "48,0 %" in html
    assert "10/01/2026" in html
    assert reverse("commerce:order_detail", args=[orders["big"].pk]) in html


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.SALES_MANAGER, {"OC-1", "OC-2", "OC-3", "OC-9"}),
        (Role.ACCOUNT_EXECUTIVE, {"OC-1", "OC-2", "OC-3"}),
        (Role.SPECIALIST, {"OC-3"}),
    ],
)
def test_the_list_shows_only_orders_of_visible_accounts(client, world, orders, role, expected):
    client.force_login(world.user(role))

    response = client.get(reverse("commerce:order_list"))

    assert set(numbers(response)) == expected
    assert response.context["page"].paginator.count == len(expected)


def test_filters_by_purchase_type_channel_dates_and_account(client, world, orders):
    client.force_login(world.manager)
    url = reverse("commerce:order_list")

    assert numbers(client.get(url, {"purchase_type": "new_buy"})) == ["OC-2"]
    assert numbers(client.get(url, {"channel": "portal"})) == ["OC-2"]
    assert numbers(client.get(url, {"date_from": "2026-02-01", "date_to": "2026-03-31"})) == ["OC-1", "OC-3"]
    narrowed = client.get(url, {"account": world.on_team.pk})
    assert numbers(narrowed) == ["OC-3"]
    assert 'data-testid="account-chip"' in narrowed.content.decode()


def test_search_finds_an_order_by_number_or_by_account_name_without_accents(client, world, orders):
    client.force_login(world.manager)
    url = reverse("commerce:order_list")

    assert numbers(client.get(url, {"q": "oc-3"})) == ["OC-3"]
    assert numbers(client.get(url, {"q": "munoz"})) == ["OC-1", "OC-2"]  # Ferretería Muñoz


def test_an_account_the_user_may_not_see_is_refused_and_shows_nothing(client, world, orders):
    client.force_login(world.executive)

    response = client.get(reverse("commerce:order_list"), {"account": world.elsewhere.pk})

    assert numbers(response) == []
    assert "account" in response.context["filter"].errors


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("number", ["OC-1", "OC-2", "OC-3"]),
        ("-number", ["OC-3", "OC-2", "OC-1"]),
        ("date", ["OC-2", "OC-3", "OC-1"]),
        ("-revenue", ["OC-2", "OC-3", "OC-1"]),  # 10,000; 6,000; 1,000
        ("margin", ["OC-3", "OC-1", "OC-2"]),  # 300; 400; 4,800
        ("-lines", ["OC-2", "OC-3", "OC-1"]),  # ties on one line fall back to the id, the same way
        ("account", ["OC-3", "OC-1", "OC-2"]),  # Constructora before Ferretería
        ("purchase_type", ["OC-2", "OC-1", "OC-3"]),  # new_buy before straight_rebuy
    ],
)
def test_sorting_by_each_column(client, world, orders, sort, expected):
    client.force_login(world.executive)

    response = client.get(reverse("commerce:order_list"), {"sort": sort})

    assert numbers(response) == expected


@pytest.mark.parametrize("sort", ["password", "-account__tax_id", "lines__revenue_cents", "", "--date", "id"])
def test_an_unknown_sort_key_is_ignored_and_the_default_order_applies(client, world, orders, sort):
    client.force_login(world.executive)

    response = client.get(reverse("commerce:order_list"), {"sort": sort})

    assert response.status_code == 200
    assert numbers(response) == ["OC-1", "OC-3", "OC-2"]


def test_headers_link_to_each_sort_keeping_the_filters_and_mark_the_sorted_column(client, world, orders):
    client.force_login(world.executive)

    response = client.get(
        reverse("commerce:order_list"), {"channel": "sales_rep", "sort": "-revenue", "page": "1"}
    )

    headers = {header.key: header for header in response.context["headers"]}
    assert headers["revenue"].sorted == "descending"
    assert headers["revenue"].url == "?channel=sales_rep&sort=revenue"
    assert headers["date"].sorted == ""
    assert headers["date"].url == "?channel=sales_rep&sort=-date"  # dates read newest first
    assert headers["number"].url == "?channel=sales_rep&sort=number"
    html = response.content.decode()
    assert 'aria-sort="descending"' in html
    assert html.count("aria-sort=") == 1
    assert 'href="?channel=sales_rep&amp;sort=revenue" hx-get="?channel=sales_rep&amp;sort=revenue"' in html
    # The export link carries the same filters and sort.
    assert "/data/export/orders/?channel=sales_rep&amp;sort=-revenue&amp;format=csv" in html


def test_htmx_asks_for_the_table_alone(client, world, orders):
    client.force_login(world.executive)

    response = client.get(
        reverse("commerce:order_list"),
        {"sort": "number"},
        headers={"HX-Request": "true", "HX-Target": "order-results"},
    )

    html = response.content.decode()
    assert "<form" not in html
    assert '<input type="hidden" name="sort" value="number" form="order-filters">' in html
    assert "OC-1" in html


def test_empty_states(client, world):
    client.force_login(world.executive)
    url = reverse("commerce:order_list")

    assert "no tienen pedidos todavía" in client.get(url).content.decode()
    assert "Ningún pedido coincide con estos filtros" in client.get(url, {"q": "nada"}).content.decode()


def test_the_list_takes_the_same_queries_for_a_full_page_whatever_the_sort(
    client, db, make_user, django_assert_max_num_queries, settings
):
    manager = make_user(Role.SALES_MANAGER)
    accounts = [AccountFactory() for _ in range(5)]
    for n in range(60):
        place(
            accounts[n % 5],
            f"P-{n:03d}",
            dt.date(2026, 1, 1) + dt.timedelta(days=n),
            (1, 100, 50, 0),
            (2, 10, 5, 0),
        )
    client.force_login(manager)

    for sort in ("", "-revenue", "account", "lines"):
        # session, user, count, the page's ids, its orders with their accounts, the page's totals
        with django_assert_max_num_queries(6):
            response = client.get(reverse("commerce:order_list"), {"sort": sort} if sort else {})
        assert len(response.context["page"].object_list) == 50


# The order page


def test_the_order_page_shows_lines_with_prices_discounts_cost_and_margin(client, world, orders):
    client.force_login(world.executive)

    response = client.get(reverse("commerce:order_detail", args=[orders["big"].pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["order"].totals.lines == 2
    assert 'data-testid="order-revenue">$10.000<' in html
    assert "$4.800" in html and "(48,0 %)" in html
    assert "10 %" in html  # the discount
    assert "$1.000" in html and "$500" in html  # the unit price and the unit cost


@pytest.mark.parametrize("role", [Role.ACCOUNT_EXECUTIVE, Role.SPECIALIST])
def test_an_order_of_another_portfolio_is_not_found(client, world, orders, role):
    client.force_login(world.user(role))

    response = client.get(reverse("commerce:order_detail", args=[orders["hidden"].pk]))

    assert response.status_code == 404


def test_the_order_page_has_a_query_budget(client, world, orders, django_assert_max_num_queries):
    client.force_login(world.executive)

    # session, user, the order with its account and creator, its lines with products and product lines
    with django_assert_max_num_queries(4):
        response = client.get(reverse("commerce:order_detail", args=[orders["big"].pk]))

    assert response.status_code == 200


def test_the_lists_need_a_signed_in_user(client, db):
    response = client.get(reverse("commerce:order_list"))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_computed_columns_sort_only_a_list_narrowed_to_few_enough_orders(client, world, orders, monkeypatch):
    from cartera.commerce.filtersets import ORDER_SORTS

    monkeypatch.setattr(ORDER_SORTS, "costly_limit", 2)
    client.force_login(world.executive)
    url = reverse("commerce:order_list")

    # Three orders: sorting by revenue would sum every order's lines, so the default order applies...
    too_many = client.get(url, {"sort": "-revenue"})
    # ...until the list is narrowed to two.
    narrowed = client.get(url, {"sort": "-revenue", "account": world.in_portfolio.pk})

    assert numbers(too_many) == ["OC-1", "OC-3", "OC-2"]
    headers = {header.key: header for header in too_many.context["headers"]}
    assert (headers["revenue"].url, headers["revenue"].narrow_first) == ("", True)
    assert headers["date"].sorted == "descending"
    html = too_many.content.decode()
    assert "sort=-date&amp;format=csv" in html  # the export follows the order shown
    assert "2 filas o menos" in html
    assert numbers(narrowed) == ["OC-2", "OC-1"]
    assert {header.key: header for header in narrowed.context["headers"]}["revenue"].sorted == "descending"
