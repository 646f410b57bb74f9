import datetime as dt
import random

import pytest

from cartera.core.models import AuditRecord
from cartera.profiles.demo import create_default_profiles, generate_consumers
from cartera.profiles.models import Consumer, ConsumerOrder, Profile
from cartera.profiles.selectors import profiles_figures

pytestmark = pytest.mark.django_db

D = dt.date(2026, 6, 30)


def stored_data():
    consumers = list(
        Consumer.objects.order_by("customer_number").values_list(
            "customer_number", "region", "age_band", "channel"
        )
    )
    orders = list(
        ConsumerOrder.objects.order_by("consumer__customer_number", "date", "revenue").values_list(
            "consumer__customer_number", "date", "revenue", "cost", "revenue_cents"
        )
    )
    return consumers, orders


def test_the_same_seed_gives_the_same_consumers_and_purchases():
    written = generate_consumers(rng=random.Random(11), as_of=D, count=60, chunk_size=25)
    first = stored_data()
    # Three chunks, one audit record per chunk for consumers and one for their purchases.
    assert AuditRecord.objects.filter(action="bulk_create").count() == 6
    ConsumerOrder.objects.all().delete()
    Consumer.objects.all().delete()

    generate_consumers(rng=random.Random(11), as_of=D, count=60, chunk_size=25)

    assert stored_data() == first
    assert (written.consumers, written.orders) == (60, len(first[1]))
    assert [c[0] for c in first[0]][:2] == ["C0000001", "C0000002"]


def test_purchases_span_three_years_up_to_the_date_and_include_every_behaviour():
    generate_consumers(rng=random.Random(3), as_of=D, count=300)
    dates = ConsumerOrder.objects.values_list("date", flat=True)

    assert min(dates) > D - dt.timedelta(days=3 * 365)
    assert max(dates) <= D
    default_profiles = create_default_profiles(actor=None)
    sizes = {figures.profile.name: figures.consumers for figures in profiles_figures(D)}
    assert [p.name for p in default_profiles] == [
        "Frequent high-value",
        "Occasional",
        "At risk of leaving",
        "New",
    ]
    assert all(size >= 10 for size in sizes.values()), sizes
    lapsed = Consumer.objects.matching(
        {"all": [{"field": "recency_days", "op": ">=", "value": 400}]}, D
    ).count()
    assert lapsed >= 30


def test_default_profiles_are_created_once():
    create_default_profiles(actor=None)

    assert create_default_profiles(actor=None) == []
    assert Profile.objects.count() == 4
