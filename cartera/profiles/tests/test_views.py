"""The B2C profiles pages: figures per profile (table, chart data), creating and editing a profile with
its live count, the suggested profiles and adopting one, who may do what, and query budgets."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cartera.profiles.models import Consumer, Profile
from cartera.profiles.selectors import consumers_figures, profile_figures, profiles_figures_table
from cartera.profiles.suggest import suggest_profiles
from cartera.profiles.tests.factories import ConsumerFactory, ConsumerOrderFactory, ProfileFactory
from cartera.users.models import Role

pytestmark = pytest.mark.django_db

MANAGERS = [Role.ADMINISTRATOR, Role.SALES_MANAGER, Role.MARKETING_ANALYST]
OTHERS = [Role.ACCOUNT_EXECUTIVE, Role.SPECIALIST, Role.SUPPORT_AGENT]
FREQUENT = {"all": [{"field": "orders_12m", "op": ">=", "value": 4}]}


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def today() -> dt.date:
    return timezone.localdate()


def buy(consumer: Consumer, days_back: int, revenue: str = "1000.00", cost: str = "600.00") -> None:
    ConsumerOrderFactory(
        consumer=consumer,
        date=today() - dt.timedelta(days=days_back),
        revenue=Decimal(revenue),
        cost=Decimal(cost),
    )


@pytest.fixture
def consumers():
    """A frequent buyer in Santiago (5 purchases this year, 2 last year), an occasional one online in
    Valparaíso (1 this year, 1 last year) and a lapsed one (1 purchase 500 days ago)."""
    frequent = ConsumerFactory(customer_number="F", region="CL-RM", channel="store", age_band="25_34")
    for days in (10, 40, 80, 120, 200):
        buy(frequent, days, revenue="2000.00", cost="1000.00")
    buy(frequent, 400)
    buy(frequent, 500)
    occasional = ConsumerFactory(customer_number="O", region="CL-VS", channel="online", age_band="45_54")
    buy(occasional, 30, revenue="500.00", cost="300.00")
    buy(occasional, 380)
    lapsed = ConsumerFactory(customer_number="L", region="CL-RM", channel="online")
    buy(lapsed, 500)
    return {"frequent": frequent, "occasional": occasional, "lapsed": lapsed}


# The figures


RULES = [
    {"all": []},
    FREQUENT,
    {"all": [{"field": "region", "op": "in", "value": ["CL-RM"]}]},
    {
        "all": [
            {"field": "channel", "op": "not_in", "value": ["store"]},
            {"field": "recency_days", "op": "<=", "value": 60},
        ]
    },
    {
        "all": [
            {"field": "age_band", "op": "in", "value": ["45_54", "25_34"]},
            {"field": "spend_12m", "op": ">=", "value": "600"},
        ]
    },
    {
        "all": [
            {"field": "tenure_days", "op": ">=", "value": 450},
            {"field": "orders_12m", "op": "<=", "value": 0},
        ]
    },
]


def test_the_one_query_table_gives_each_profile_the_same_figures_as_profile_figures(
    consumers, django_assert_num_queries
):
    profiles = [ProfileFactory(rule=rule) for rule in RULES]

    with django_assert_num_queries(1):
        rows, total = profiles_figures_table(profiles, today())

    assert rows == [profile_figures(profile, today()) for profile in profiles]
    assert total == consumers_figures(today())
    assert [row.consumers for row in rows] == [3, 1, 2, 1, 1, 1]


def test_the_profile_list_shows_every_profile_with_its_figures(client, world, consumers):
    ProfileFactory(name="Frecuentes", rule=FREQUENT, priority=1)
    ProfileFactory(
        name="Dormidos", rule={"all": [{"field": "recency_days", "op": ">=", "value": 365}]}, is_active=False
    )
    client.force_login(world.support)

    response = client.get(reverse("profiles:profile_list"))

    assert response.status_code == 200
    rows = [
        (figures.profile.name, figures.consumers, figures.revenue_12m)
        for figures, _text in response.context["rows"]
    ]
    assert rows == [("Frecuentes", 1, Decimal("10000.00")), ("Dormidos", 1, Decimal("0.00"))]
    html = response.content.decode()
    assert "Purchases in the last 12 months ≥ 4" in html
    assert "inactive" in html
    assert reverse("profiles:profile_new") not in html  # support may only read


def test_the_profile_list_takes_the_same_queries_whatever_the_number_of_profiles(
    client, world, consumers, django_assert_num_queries
):
    client.force_login(world.analyst)
    url = reverse("profiles:profile_list")
    ProfileFactory(rule=FREQUENT)
    client.get(url)
    # session, user, the profiles, their figures in one query
    with django_assert_num_queries(4):
        client.get(url)
    for rule in RULES:
        ProfileFactory(rule=rule)
    with django_assert_num_queries(4):
        response = client.get(url)
    assert len(response.context["rows"]) == 1 + len(RULES)


def test_the_chart_data_give_revenue_and_margin_per_profile_with_links_for_those_who_may_edit(
    client, world, consumers
):
    profile = ProfileFactory(name="Frecuentes", rule=FREQUENT)
    client.force_login(world.manager)

    data = client.get(reverse("profiles:profile_chart")).json()

    assert data["empty"] is False
    assert data["currency"] == "CLP"
    assert data["profiles"] == [
        {
            "name": "Frecuentes",
            "active": True,
            "consumers": 1,
            "revenue": 10000.0,
            "margin": 5000.0,
            "url": reverse("profiles:profile_edit", args=[profile.pk]),
        }
    ]
    client.force_login(world.executive)
    assert client.get(reverse("profiles:profile_chart")).json()["profiles"][0]["url"] is None


def test_the_chart_data_say_empty_when_no_profile_has_consumers(client, world):
    ProfileFactory(rule=FREQUENT)
    client.force_login(world.manager)

    assert client.get(reverse("profiles:profile_chart")).json() == {"empty": True}


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("profiles:profile_chart"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Who may change profiles


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_may_not_create_edit_preview_or_adopt_profiles(client, world, role):
    profile = ProfileFactory(name="Intocable")
    client.force_login(world.user(role))

    answers = [
        client.get(reverse("profiles:profile_new")).status_code,
        client.post(reverse("profiles:profile_new"), {"name": "X", "priority": 1}).status_code,
        client.get(reverse("profiles:profile_edit", args=[profile.pk])).status_code,
        client.post(
            reverse("profiles:profile_edit", args=[profile.pk]), {"name": "X", "version": 1}
        ).status_code,
        client.post(reverse("profiles:profile_preview"), {"rule": '{"all": []}'}).status_code,
        client.post(reverse("profiles:profile_adopt"), {"k": 2, "name": "X", "rule": "{}"}).status_code,
    ]

    assert answers == [403] * 6
    assert list(Profile.objects.values_list("name", flat=True)) == ["Intocable"]


@pytest.mark.parametrize("role", MANAGERS)
def test_administrators_sales_managers_and_marketing_analysts_create_profiles(client, world, role):
    client.force_login(world.user(role))

    response = client.post(
        reverse("profiles:profile_new"),
        {"name": "Frecuentes", "priority": 5, "is_active": "on", "rule": json.dumps(FREQUENT)},
    )

    assert response.status_code == 302
    profile = Profile.objects.get(name="Frecuentes")
    assert (profile.rule, profile.priority, profile.is_active) == (FREQUENT, 5, True)


# Editing


def profile_data(profile: Profile, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": profile.name,
        "description": profile.description,
        "priority": profile.priority,
        "rule": json.dumps(profile.rule),
        "version": profile.version,
        **({"is_active": "on"} if profile.is_active else {}),
    }
    data.update(overrides)
    return data


def test_editing_a_profile_stores_its_rule_in_canonical_form(client, world):
    profile = ProfileFactory(name="Santiago")
    client.force_login(world.analyst)
    rule = {
        "all": [
            {"field": "region", "op": "in", "value": ["cl-rm"]},
            {"field": "spend_12m", "op": ">=", "value": 1500},
        ]
    }

    response = client.post(
        reverse("profiles:profile_edit", args=[profile.pk]), profile_data(profile, rule=json.dumps(rule))
    )

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.rule == {
        "all": [
            {"field": "region", "op": "in", "value": ["CL-RM"]},
            {"field": "spend_12m", "op": ">=", "value": "1500"},
        ]
    }
    assert profile.version == 2


def test_a_stale_profile_edit_is_refused_and_nothing_changes(client, world):
    profile = ProfileFactory(name="Santiago")
    client.force_login(world.manager)
    stale = profile_data(profile, name="Santiago centro")
    Profile.objects.filter(pk=profile.pk).update(name="Cambiado", version=2)

    response = client.post(reverse("profiles:profile_edit", args=[profile.pk]), stale)

    assert response.status_code == 200
    assert "Someone else saved this record while you were editing it." in response.content.decode()
    assert Profile.objects.get(pk=profile.pk).name == "Cambiado"


def test_an_invalid_profile_rule_is_shown_on_its_field_and_marks_the_condition(client, world):
    profile = ProfileFactory(name="Santiago", rule=FREQUENT)
    client.force_login(world.manager)
    rule = {
        "all": [
            {"field": "orders_12m", "op": ">=", "value": 2},
            {"field": "orders_12m", "op": "=", "value": 4},
        ]
    }

    response = client.post(
        reverse("profiles:profile_edit", args=[profile.pk]), profile_data(profile, rule=json.dumps(rule))
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "rule": ['Condition 2 (orders_12m = 4): "=" does not apply to orders_12m; use <= or >=.']
    }
    assert "data-error-positions='[&quot;2&quot;]'" in response.content.decode()
    assert Profile.objects.get(pk=profile.pk).rule == FREQUENT


def test_the_edit_page_offers_the_builder_with_the_profile_fields(client, world):
    profile = ProfileFactory()
    client.force_login(world.manager)

    response = client.get(reverse("profiles:profile_edit", args=[profile.pk]))

    catalog = response.context["catalog"]
    names = [field["name"] for group in catalog["groups"] for field in group["fields"]]
    assert names == [
        "orders_12m",
        "spend_12m",
        "recency_days",
        "tenure_days",
        "region",
        "age_band",
        "channel",
    ]
    assert catalog["maxDepth"] == 1


# The preview


def test_the_preview_counts_the_consumers_the_rule_takes_today(client, world, consumers):
    client.force_login(world.manager)
    rule = {"all": [{"field": "region", "op": "in", "value": ["CL-RM"]}]}

    response = client.post(reverse("profiles:profile_preview"), {"rule": json.dumps(rule)})

    figures = response.context["figures"]
    assert figures.consumers == Consumer.objects.matching(rule, today()).count() == 2
    assert (figures.buyers_12m, figures.revenue_12m) == (1, Decimal("10000.00"))
    assert "Region is one of CL-RM" in response.content.decode()


def test_the_preview_says_what_is_wrong_with_the_rule(client, world):
    client.force_login(world.manager)

    bad = client.post(
        reverse("profiles:profile_preview"), {"rule": '{"all": [{"field": "age", "op": "in", "value": []}]}'}
    )
    not_json = client.post(reverse("profiles:profile_preview"), {"rule": "{"})

    assert bad.context["errors"] == [
        'Condition 1 (age in []): "age" is not a field of a rule; use one of region, age_band, channel, '
        "recency_days, tenure_days, orders_12m, spend_12m."
    ]
    assert not_json.context["errors"] == [
        "This is not valid JSON (line 1, column 2): Expecting property name enclosed in double quotes."
    ]


# Suggestions


@pytest.fixture
def many_consumers():
    """Thirty consumers in three clear groups: frequent big spenders, occasional ones, lapsed ones."""
    for number in range(10):
        frequent = ConsumerFactory(customer_number=f"F{number}")
        for days in range(5, 365, 30):
            buy(frequent, days + number, revenue="50000.00", cost="20000.00")
        occasional = ConsumerFactory(customer_number=f"O{number}")
        buy(occasional, 100 + number * 5, revenue="8000.00", cost="5000.00")
        buy(occasional, 300 + number, revenue="8000.00", cost="5000.00")
        lapsed = ConsumerFactory(customer_number=f"L{number}")
        buy(lapsed, 600 + number * 20, revenue="3000.00", cost="2000.00")


def test_suggestions_show_each_group_in_words_with_its_size_and_centroid(client, world, many_consumers):
    client.force_login(world.executive)

    response = client.get(reverse("profiles:profile_suggestions"), {"k": 3})

    assert response.status_code == 200
    shown = response.context["suggestions"]
    expected = suggest_profiles(k=3, as_of=today())
    assert [suggestion for suggestion, _habits, _rule in shown] == expected
    assert sorted(suggestion.size for suggestion in expected) == [10, 10, 10]
    html = response.content.decode()
    assert html.count('data-testid="suggestion"') == 3
    assert expected[0].name in html
    assert "Adopt as profile" not in html  # an executive may not adopt


def test_suggestions_refuse_a_k_out_of_range_and_too_few_consumers(client, world, consumers):
    client.force_login(world.manager)

    out_of_range = client.get(reverse("profiles:profile_suggestions"), {"k": 13})
    too_many = client.get(reverse("profiles:profile_suggestions"), {"k": 5})

    assert out_of_range.context["errors"] == ["Ensure this value is less than or equal to 12."]
    assert too_many.context["errors"] == [
        "Too few consumers with different behaviour bought in the last three years to form 5 groups."
    ]


def test_adopting_a_suggestion_creates_it_as_an_inactive_profile(client, world, many_consumers):
    client.force_login(world.analyst)
    chosen = suggest_profiles(k=3, as_of=today())[1]

    response = client.post(
        reverse("profiles:profile_adopt"), {"k": 3, "name": chosen.name, "rule": json.dumps(chosen.rule)}
    )

    profile = Profile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("profiles:profile_edit", args=[profile.pk])
    assert (profile.name, profile.rule, profile.description, profile.is_active) == (
        chosen.name,
        chosen.rule,
        chosen.description,
        False,
    )
    assert Consumer.objects.matching(profile.rule, today()).count() >= 1


def test_a_suggestion_that_changed_since_it_was_shown_is_not_adopted(client, world, many_consumers):
    client.force_login(world.analyst)
    chosen = suggest_profiles(k=3, as_of=today())[0]
    stale_rule = {"all": [{"field": "orders_12m", "op": ">=", "value": 99}]}

    response = client.post(
        reverse("profiles:profile_adopt"),
        {"k": 3, "name": chosen.name, "rule": json.dumps(stale_rule)},
        follow=True,
    )

    assert not Profile.objects.exists()
    assert "The suggestions changed since they were shown" in response.content.decode()
