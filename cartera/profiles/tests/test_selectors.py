import datetime as dt
from decimal import Decimal

import pytest

from cartera.profiles.models import Consumer
from cartera.profiles.selectors import consumers_figures, profile_consumers, profile_figures, profiles_figures
from cartera.profiles.tests.factories import ConsumerFactory, ConsumerOrderFactory, ProfileFactory

pytestmark = pytest.mark.django_db

D = dt.date(2026, 6, 30)


def days_before(days: int) -> dt.date:
    return D - dt.timedelta(days=days)


def buy(consumer, days_back: int, revenue: str = "1000.00", cost: str = "600.00"):
    return ConsumerOrderFactory(
        consumer=consumer, date=days_before(days_back), revenue=Decimal(revenue), cost=Decimal(cost)
    )


def members(rule, as_of=D) -> set[str]:
    return set(Consumer.objects.matching(rule, as_of).values_list("customer_number", flat=True))


def condition(field, op, value):
    return {"all": [{"field": field, "op": op, "value": value}]}


def test_the_window_is_the_365_days_up_to_d_and_later_purchases_are_ignored():
    consumer = ConsumerFactory()
    buy(consumer, 365, revenue="5000.00", cost="1.00")  # D − 365: just outside
    buy(consumer, 364, revenue="1250.00", cost="500.25")  # D − 364: inside
    buy(consumer, 0, revenue="0.50", cost="0.25")  # D itself: inside
    buy(consumer, -1, revenue="9000.00", cost="1.00")  # after D: does not count

    figures = profile_figures(ProfileFactory(), D)

    assert figures.consumers == 1
    assert figures.buyers_12m == 1
    assert figures.orders_12m == 2
    assert figures.revenue_12m == Decimal("1250.50")
    assert figures.cost_12m == Decimal("500.50")
    assert figures.margin_12m == Decimal("750.00")
    assert figures.average_frequency == Decimal("2.00")


def test_a_consumer_whose_purchases_are_all_after_d_is_not_yet_a_member():
    ConsumerFactory(customer_number="never")
    buy(ConsumerFactory(customer_number="later"), -10)
    buy(ConsumerFactory(customer_number="before"), 800)

    assert members({"all": []}) == {"before"}
    figures = consumers_figures(D)
    assert (figures.consumers, figures.buyers_12m, figures.revenue_12m) == (1, 0, Decimal("0.00"))
    assert figures.average_frequency is None


def test_retention_is_the_share_of_last_windows_buyers_who_bought_again():
    for number in range(4):
        consumer = ConsumerFactory(customer_number=f"previous-{number}")
        buy(consumer, 365 if number == 0 else 500)  # D − 365 belongs to the previous window
        if number < 3:
            buy(consumer, 10)
    buy(ConsumerFactory(customer_number="only-this-year"), 20)
    buy(ConsumerFactory(customer_number="too-old"), 730)  # D − 730: outside the previous window
    buy(ConsumerFactory(customer_number="older-still"), 800)

    figures = consumers_figures(D)

    assert figures.previous_buyers == 4
    assert figures.retained_buyers == 3
    assert figures.retention == Decimal("0.75")
    assert figures.buyers_12m == 4
    assert figures.consumers == 7


def test_retention_is_none_when_nobody_bought_in_the_previous_window():
    buy(ConsumerFactory(), 10)

    figures = consumers_figures(D)

    assert figures.previous_buyers == 0
    assert figures.retention is None


def test_retention_rounds_to_four_places():
    for number in range(3):
        consumer = ConsumerFactory()
        buy(consumer, 400)
        if number == 0:
            buy(consumer, 5)

    assert consumers_figures(D).retention == Decimal("0.3333")


def test_attribute_conditions():
    ConsumerFactory(customer_number="rm-online", region="CL-RM", channel="online", age_band="25_34")
    ConsumerFactory(customer_number="vs-store", region="CL-VS", channel="store", age_band="25_34")
    ConsumerFactory(customer_number="bi-phone", region="CL-BI", channel="phone", age_band="65_plus")
    for consumer in Consumer.objects.all():
        buy(consumer, 30)

    assert members(condition("region", "in", ["CL-RM", "CL-VS"])) == {"rm-online", "vs-store"}
    assert members(condition("region", "not_in", ["CL-RM"])) == {"vs-store", "bi-phone"}
    assert members(condition("channel", "in", ["phone", "online"])) == {"rm-online", "bi-phone"}
    assert members(condition("age_band", "in", ["25_34"])) == {"rm-online", "vs-store"}


def test_recency_boundaries_are_inclusive_days_since_the_last_purchase_up_to_d():
    buy(ConsumerFactory(customer_number="30-days"), 30)
    buy(ConsumerFactory(customer_number="31-days"), 31)
    later = ConsumerFactory(customer_number="31-days-then-after-d")
    buy(later, 31)
    buy(later, -5)

    assert members(condition("recency_days", "<=", 30)) == {"30-days"}
    assert members(condition("recency_days", ">=", 31)) == {"31-days", "31-days-then-after-d"}
    assert members(condition("recency_days", "<=", 0)) == set()


def test_tenure_counts_from_the_first_purchase():
    newcomer = ConsumerFactory(customer_number="newcomer")
    buy(newcomer, 90)
    buy(newcomer, 3)
    veteran = ConsumerFactory(customer_number="veteran")
    buy(veteran, 91)
    buy(veteran, 3)

    assert members(condition("tenure_days", "<=", 90)) == {"newcomer"}
    assert members(condition("tenure_days", ">=", 91)) == {"veteran"}


def test_orders_and_spend_conditions_use_the_window():
    frequent = ConsumerFactory(customer_number="frequent")
    for days in (10, 40, 70, 100):
        buy(frequent, days, revenue="312.50")
    lapsed = ConsumerFactory(customer_number="lapsed")
    for days in (400, 430, 460, 490, 520):
        buy(lapsed, days, revenue="9999.00")

    assert members(condition("orders_12m", ">=", 4)) == {"frequent"}
    assert members(condition("orders_12m", "<=", 0)) == {"lapsed"}
    assert members(condition("spend_12m", ">=", "1250.00")) == {"frequent"}
    assert members(condition("spend_12m", ">=", "1250.01")) == set()
    assert members(condition("spend_12m", "<=", "1249.99")) == {"lapsed"}


def test_conditions_are_anded():
    for number, (region, orders) in enumerate([("CL-RM", 4), ("CL-RM", 1), ("CL-VS", 4)]):
        consumer = ConsumerFactory(customer_number=f"c{number}", region=region)
        for order in range(orders):
            buy(consumer, 10 + order)
    rule = {
        "all": [
            {"field": "region", "op": "in", "value": ["CL-RM"]},
            {"field": "orders_12m", "op": ">=", "value": 4},
        ]
    }

    assert members(rule) == {"c0"}


def test_profiles_overlap_and_each_counts_its_own_members():
    both = ConsumerFactory(customer_number="both", region="CL-RM")
    buy(both, 10, revenue="2000.00", cost="500.00")
    buy(both, 20, revenue="2000.00", cost="500.00")
    santiago_only = ConsumerFactory(customer_number="santiago-only", region="CL-RM")
    buy(santiago_only, 100, revenue="300.00", cost="100.00")
    frequent_only = ConsumerFactory(customer_number="frequent-only", region="CL-VS")
    buy(frequent_only, 5, revenue="700.00", cost="200.00")
    buy(frequent_only, 6, revenue="700.00", cost="200.00")
    santiago = ProfileFactory(name="Santiago", priority=2, rule=condition("region", "in", ["CL-RM"]))
    frequent = ProfileFactory(name="Frecuentes", priority=1, rule=condition("orders_12m", ">=", 2))
    ProfileFactory(name="Apagado", is_active=False)

    figures = profiles_figures(D)

    assert [f.profile for f in figures] == [frequent, santiago]
    by_name = {f.profile.name: f for f in figures}
    assert (by_name["Santiago"].consumers, by_name["Santiago"].revenue_12m) == (2, Decimal("4300.00"))
    assert (by_name["Frecuentes"].consumers, by_name["Frecuentes"].revenue_12m) == (2, Decimal("5400.00"))
    assert by_name["Frecuentes"].margin_12m == Decimal("4000.00")
    whole = consumers_figures(D)
    assert (whole.consumers, whole.orders_12m, whole.revenue_12m) == (3, 5, Decimal("5700.00"))
    assert whole.margin_12m == Decimal("4200.00")
    assert whole.average_frequency == Decimal("1.67")
    assert set(profile_consumers(santiago, D).values_list("customer_number", flat=True)) == {
        "both",
        "santiago-only",
    }


def test_figures_as_of_a_past_date_ignore_what_came_later():
    consumer = ConsumerFactory()
    buy(consumer, 100, revenue="100.00", cost="10.00")
    buy(consumer, 10, revenue="900.00", cost="90.00")
    earlier = D - dt.timedelta(days=50)

    figures = consumers_figures(earlier)

    assert (figures.orders_12m, figures.revenue_12m, figures.margin_12m) == (
        1,
        Decimal("100.00"),
        Decimal("90.00"),
    )


def test_profile_figures_take_one_query(django_assert_num_queries):
    buy(ConsumerFactory(), 10)
    profile = ProfileFactory(rule=condition("spend_12m", ">=", "1"))

    with django_assert_num_queries(1):
        profile_figures(profile, D)
