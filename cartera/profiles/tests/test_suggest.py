import datetime as dt
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from cartera.profiles.models import Consumer, ConsumerOrder, Profile
from cartera.profiles.services import consumer_orders_bulk_create
from cartera.profiles.suggest import suggest_profiles
from cartera.profiles.tests.factories import ConsumerFactory

pytestmark = pytest.mark.django_db

D = dt.date(2026, 6, 30)
# Small differences inside each group; the extremes repeat, so the group's 10th and 90th percentiles
# are its minimum and maximum and the suggested rule must hold the whole group.
OFFSETS = [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9]
GROUPS = {
    # name: (first days back, days between purchases, purchases, revenue of each)
    "frequent": (lambda o: 2 + o, 20, 18, lambda o: 70_000 + 100 * o),
    "occasional": (lambda o: 60 + 3 * o, 150, 2, lambda o: 20_000 + 100 * o),
    "lapsed": (lambda o: 500 + 5 * o, 30, 4, lambda o: 30_000),
}


@pytest.fixture
def planted() -> dict[str, set[str]]:
    """Three clearly different groups of twelve consumers each."""
    groups: dict[str, set[str]] = {}
    orders = []
    for name, (first_back, every, count, revenue) in GROUPS.items():
        groups[name] = set()
        for number, offset in enumerate(OFFSETS):
            consumer = ConsumerFactory(customer_number=f"{name}-{number:02d}")
            groups[name].add(consumer.customer_number)
            for purchase in range(count):
                orders.append(
                    ConsumerOrder(
                        consumer=consumer,
                        date=D - dt.timedelta(days=first_back(offset) + purchase * every),
                        revenue=Decimal(revenue(offset)),
                        cost=Decimal(revenue(offset)) / 2,
                    )
                )
    consumer_orders_bulk_create(actor=None, orders=orders, source="test")
    return groups


def members(rule) -> set[str]:
    return set(Consumer.objects.matching(rule, D).values_list("customer_number", flat=True))


def test_suggestions_find_the_planted_groups_and_their_rules_hold_exactly_each_group(planted):
    suggestions = suggest_profiles(k=3, as_of=D)

    assert [(s.name, s.size, s.share) for s in suggestions] == [
        ("Frequent high spenders", 12, Decimal("0.3333")),
        ("Occasional buyers", 12, Decimal("0.3333")),
        ("Lapsed buyers", 12, Decimal("0.3333")),
    ]
    assert [members(s.rule) for s in suggestions] == [
        planted["frequent"],
        planted["occasional"],
        planted["lapsed"],
    ]


def test_suggestions_give_centroids_in_plain_units_and_describe_them_in_words(planted):
    frequent, occasional, lapsed = suggest_profiles(k=3, as_of=D)

    assert (frequent.recency_days, frequent.purchases_per_year, frequent.spend_per_year) == (
        6,
        Decimal("18.0"),
        Decimal("1268087"),
    )
    assert frequent.description == (
        "Frequent high spenders: buy every ~3 weeks, spend ~CLP\N{NO-BREAK SPACE}1,300,000 a year, "
        "last purchase 6 days ago"
    )
    assert occasional.description == (
        "Occasional buyers: buy every ~6 months, spend ~CLP\N{NO-BREAK SPACE}41,000 a year, "
        "last purchase ~2 months ago"
    )
    assert (
        lapsed.description
        == "Lapsed buyers: no purchases in the last 12 months, last purchase ~17 months ago"
    )
    assert lapsed.rule == {
        "all": [
            {"field": "recency_days", "op": ">=", "value": 500},
            {"field": "orders_12m", "op": "<=", "value": 0},
        ]
    }


def test_suggestions_are_deterministic_for_a_random_state(planted):
    first = suggest_profiles(k=3, as_of=D, random_state=7)
    again = suggest_profiles(k=3, as_of=D, random_state=7)
    other_seed = suggest_profiles(k=3, as_of=D, random_state=8)

    assert first == again
    assert [s.rule for s in other_seed] == [s.rule for s in first]


def test_the_fit_can_use_a_sample_and_still_assign_everyone(planted):
    suggestions = suggest_profiles(k=3, as_of=D, fit_sample_size=30)

    assert [s.size for s in suggestions] == [12, 12, 12]


def test_too_few_different_consumers_for_k_groups_is_an_error():
    for number in range(2):
        consumer = ConsumerFactory(customer_number=f"same-{number}")
        ConsumerOrder.objects.create(consumer=consumer, date=D, revenue=Decimal(10), cost=Decimal(5))

    with pytest.raises(ValidationError) as caught:
        suggest_profiles(k=3, as_of=D)

    assert caught.value.code == "too_few_consumers"


def test_k_must_be_between_two_and_twelve():
    for k in (1, 13):
        with pytest.raises(ValidationError) as caught:
            suggest_profiles(k=k, as_of=D)
        assert caught.value.code == "k_out_of_range"


def test_the_command_prints_a_table_and_adopts_the_suggestions_as_inactive_profiles(planted):
    out = StringIO()

    call_command("profiles", "suggest", "--k", "3", "--as-of", "2026-06-30", "--adopt", stdout=out)

    lines = out.getvalue().splitlines()
    assert re.split(r"\s{2,}", lines[0]) == [
        "#",
        "Profile",
        "Consumers",
        "Share",
        "Days since last purchase",
        "Purchases a year",
        "Spend a year",
    ]
    assert re.split(r"\s{2,}", lines[2]) == [
        "1",
        "Frequent high spenders",
        "12",
        "33.3 %",
        "6",
        "18.0",
        "CLP\N{NO-BREAK SPACE}1,268,087",
    ]
    assert (
        lines[-1] == "Created 3 inactive profiles: Frequent high spenders, Occasional buyers, Lapsed buyers."
    )
    assert list(Profile.objects.values_list("name", "is_active")) == [
        ("Frequent high spenders", False),
        ("Occasional buyers", False),
        ("Lapsed buyers", False),
    ]


def test_the_command_reports_a_bad_request_without_a_traceback():
    with pytest.raises(CommandError, match="between 2 and 12"):
        call_command("profiles", "suggest", "--k", "1", stdout=StringIO())


def test_insights_suggest_profiles_runs_the_same_suggestion_with_the_same_options(planted):
    # The spelling, `cartera insights suggest-profiles`, takes every option of `profiles suggest`
    # (the seed included) and prints and adopts the same.
    options = ["--k", "3", "--as-of", "2026-06-30", "--random-state", "7"]
    ours, theirs = StringIO(), StringIO()

    call_command("profiles", "suggest", *options, stdout=theirs)
    call_command("insights", "suggest-profiles", *options, "--adopt", stdout=ours)

    assert ours.getvalue().startswith(theirs.getvalue())
    assert ours.getvalue().splitlines()[-1].startswith("Created 3 inactive profiles: ")
    assert Profile.objects.filter(is_active=False).count() == 3
    with pytest.raises(CommandError, match="between 2 and 12"):
        call_command("insights", "suggest-profiles", "--k", "1", stdout=StringIO())
