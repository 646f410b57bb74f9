"""The account page (360°): its header, sections and chart data, its quick actions with their errors and
refusals, and a query budget that does not grow with the account."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cartera.accounts.models import Contact
from cartera.accounts.selectors import profit_trend
from cartera.accounts.tests.factories import AccountFactory, ContactFactory
from cartera.accounts.tests.showcase import ACCOUNT_PAGE_QUERIES, build_account_360
from cartera.commerce.services import LineInput, order_create
from cartera.commerce.tests.factories import ProductFactory, ProductLineFactory
from cartera.coverage.models import AccountTeamMember
from cartera.coverage.tests.factories import AccountTeamMemberFactory, PortfolioFactory
from cartera.insights.models import AccountInsight
from cartera.insights.services import insights_refresh_accounts
from cartera.pipeline.tests.factories import OpportunityFactory
from cartera.relationship.models import Commitment, Interaction
from cartera.relationship.tests.factories import CommitmentFactory, InteractionFactory
from cartera.users.models import Role

HTMX = {"HTTP_HX_REQUEST": "true"}
TODAY = timezone.localdate


@pytest.fixture
def s360(db):
    return build_account_360()


def url(name, *args):
    return reverse(f"accounts:{name}", args=args)


def triggers(response) -> dict:
    return json.loads(response["HX-Trigger"])


def insight(account) -> AccountInsight:
    return AccountInsight.objects.get(account=account)


# The page


def test_header_shows_tier_segment_class_risk_trust_and_contact_against_the_limit(client, s360):
    client.force_login(s360.executive)

    response = client.get(url("detail", s360.account.pk))

    health = response.context["health"]
    body = response.content.decode()
    row = insight(s360.account)
    assert health.insight == row
    assert health.segment.name == "Distribuidores clave"
    assert health.contact_limit_days == 30
    # One commitment kept 28 days ago, one open and 4 days overdue (it counts as broken): 1 / 2.
    assert (row.commitments_kept, row.commitments_broken, health.trust_percent) == (1, 1, 50)
    assert row.days_without_contact == 2
    assert 'data-testid="trust-score">50 %<' in body
    assert 'data-testid="days-without-contact">2<' in body
    assert "Distribuidores clave" in body and "Ejecutivo dedicado" in body
    assert f'data-testid="tier-badge">{row.get_tier_display()}<' in body
    assert "disconnection-alert" not in body
    assert [f.name for f in health.churn_factors] == [
        name for name, points in sorted(row.churn_factors.items(), key=lambda item: -item[1]) if points
    ]


def test_header_flags_an_account_gone_too_long_without_contact(client, s360):
    client.force_login(s360.executive)

    response = client.get(url("detail", s360.quiet.pk))

    body = response.content.decode()
    row = insight(s360.quiet)
    assert (row.days_without_contact, row.is_disconnected, row.days_overdue) == (50, True, 20)
    assert 'data-testid="disconnection-alert"' in body
    assert "50 días sin contacto, 20 más de los 30 que permite su segmento" in body
    assert "Demasiado tiempo sin contacto" in body  # the churn factor it adds


def test_buying_center_groups_contacts_by_role_and_flags_the_missing_key_roles(client, s360):
    client.force_login(s360.executive)

    response = client.get(url("detail", s360.quiet.pk))

    center = response.context["buying_center"]
    assert [(group.role, group.count) for group in center.groups] == [("purchaser", 1)]
    assert center.gaps == ["No se conoce a quien decide", "No se conoce al comprador económico"]
    assert response.content.decode().count('data-testid="buying-center-gap"') == 2


def test_buying_center_lists_a_bounded_number_of_contacts_but_counts_them_all(client, db, make_user):
    manager = make_user(Role.SALES_MANAGER)
    account = AccountFactory()
    for n in range(35):
        ContactFactory(account=account, last_name=f"Pérez {n:02d}", buying_role="user")
    ContactFactory(account=account, last_name="Zúñiga", buying_role="decision_maker", is_active=False)
    client.force_login(manager)

    center = client.get(url("detail", account.pk)).context["buying_center"]

    assert (center.total, center.shown) == (35, 30)
    assert [(group.role, group.count) for group in center.groups] == [("user", 35)]
    assert center.gaps == ["No se conoce a quien decide", "No se conoce al comprador económico"]


def test_coverage_grid_marks_the_lines_bought_that_no_specialist_covers(client, s360):
    client.force_login(s360.executive)

    coverage = client.get(url("detail", s360.account.pk)).context["coverage"]

    rows = [(row.name, row.is_gap, [m.user.username for m in row.specialists]) for row in coverage.lines]
    # Safety gloves sold more than drills over the two years; only hardware has a specialist.
    assert sorted(rows) == [
        ("Ferretería industrial", False, ["crojas"]),
        ("Seguridad laboral", True, []),
    ]
    assert [row.name for row in coverage.gaps] == ["Seguridad laboral"]
    assert coverage.has_responsible is True


def test_page_shows_orders_with_purchase_type_referrals_feedback_and_tier_history(client, s360):
    client.force_login(s360.executive)

    response = client.get(url("detail", s360.account.pk))

    overview = response.context["overview"]
    body = response.content.decode()
    assert [o.get_purchase_type_display() for o in overview.orders][:3] == [
        "Recompra directa",
        "Recompra directa",
        "Recompra significativa",
    ]
    assert overview.has_more_orders is False
    assert [r.referred_company for r in overview.referrals] == ["Ferretería Macul Ltda."]
    assert [f.kind for f in overview.feedback] == ["complaint", "survey"]
    assert "Causa raíz: Lote defectuoso del proveedor" in body
    assert all(move.account_id == s360.account.pk for move in overview.tier_history)
    assert body.count('data-testid="tier-change"') == len(overview.tier_history)


def test_an_account_without_insights_yet_says_so(client, world):
    client.force_login(world.executive)

    response = client.get(url("detail", world.in_portfolio.pk))

    assert response.context["health"].insight is None
    assert 'data-testid="no-insights"' in response.content.decode()
    assert client.get(url("profit_data", world.in_portfolio.pk)).json() == {"empty": True}
    assert client.get(url("trend_data", world.in_portfolio.pk)).json() == {"empty": True}


# Chart data


def test_profit_waterfall_goes_from_revenue_to_net_profit(client, s360):
    client.force_login(s360.executive)
    row = insight(s360.account)

    data = client.get(url("profit_data", s360.account.pk)).json()

    assert data["empty"] is False
    assert [step["key"] for step in data["steps"]] == [
        "revenue",
        "cogs",
        "cost_to_serve",
        "marketing",
        "net_profit",
    ]
    values = [Decimal(str(step["value"])) for step in data["steps"]]
    assert values[0] == row.revenue_12m
    assert values[1:4] == [-row.cogs_12m, Decimal(-275_000), Decimal(-250_000)]
    assert values[4] == row.net_profit_12m == sum(values[:4])
    assert data["steps"][2]["text"] == "-$275.000"
    assert [step["total"] for step in data["steps"]] == [True, False, False, False, True]
    # The page's table alternative writes a cost the same way, with the `money` filter's own sign.
    page = client.get(url("detail", s360.account.pk)).content.decode()
    table = page.split('data-testid="profit-table"')[1].split("</table>")[0]
    assert "-$275.000" in table
    assert "\N{MINUS SIGN}" not in table


def test_profit_trend_sums_the_daily_facts_by_month(client, s360):
    client.force_login(s360.executive)
    today = TODAY()

    data = client.get(url("trend_data", s360.account.pk)).json()

    assert len(data["months"]) == 24
    series = {item["key"]: item for item in data["series"]}
    assert list(series) == ["revenue", "gross_margin", "cost_to_serve", "marketing", "net_profit"]
    assert [key for key, item in series.items() if item["charted"]] == [
        "revenue",
        "gross_margin",
        "net_profit",
    ]
    assert sum(Decimal(str(v)) for v in series["revenue"]["values"]) == sum(
        (order_total(o) for o in s360.orders), Decimal(0)
    )
    marketing_month = (today - dt.timedelta(days=60)).replace(day=1)
    index = 23 - ((today.year - marketing_month.year) * 12 + today.month - marketing_month.month)
    assert series["marketing"]["values"][index] == 250_000
    assert series["marketing"]["texts"][index] == "$250.000"
    month = profit_trend(s360.account, today=today).months[index]
    assert month.month == marketing_month
    assert Decimal(str(series["net_profit"]["values"][index])) == month.net_profit
    assert month.net_profit == month.gross_margin - month.cost_to_serve - Decimal(250_000)


def order_total(order) -> Decimal:
    return sum((Decimal(line.revenue_cents) / 100 for line in order.lines.all()), Decimal(0))


@pytest.mark.parametrize("name", ["detail", "profit_data", "trend_data"])
def test_an_executive_gets_404_for_another_executives_account_page_and_charts(client, s360, name):
    client.force_login(s360.executive)

    assert client.get(url(name, s360.elsewhere.pk)).status_code == 404


def test_a_manager_opens_another_executives_account_with_its_charts(client, s360):
    client.force_login(s360.manager)

    page = client.get(url("detail", s360.elsewhere.pk))

    assert page.status_code == 200
    assert page.context["may_edit"] is True
    assert client.get(url("profit_data", s360.account.pk)).json()["empty"] is False


def test_sections_answer_alone_and_only_about_visible_accounts(client, s360):
    client.force_login(s360.executive)

    for name in ["header", "buying-center", "team", "commitments", "interactions"]:
        response = client.get(url("section", s360.account.pk, name), **HTMX)
        assert response.status_code == 200, name
        assert "<html" not in response.content.decode()
    assert client.get(url("section", s360.account.pk, "nothing")).status_code == 404
    assert client.get(url("section", s360.elsewhere.pk, "header")).status_code == 404


def test_header_keeps_asking_until_the_queued_refresh_has_run(client, s360):
    client.force_login(s360.executive)
    refreshed_at = insight(s360.account).updated_at

    waiting = client.get(url("section", s360.account.pk, "header"), {"since": timezone.now().isoformat()})
    done = client.get(url("section", s360.account.pk, "header"), {"since": refreshed_at.isoformat()})
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    given_up = client.get(url("section", s360.account.pk, "header"), {"since": long_ago.isoformat()})

    for nonsense in ["ayer", "2026-13-45T10:00:00+00:00", "2026-11-23T10:00:00"]:  # the last one is naive
        answer = client.get(url("section", s360.account.pk, "header"), {"since": nonsense})
        assert answer.status_code == 200 and "hx-trigger" not in answer.content.decode()
    assert 'hx-trigger="load delay:1s"' in waiting.content.decode()
    assert 'data-testid="header-refreshing"' in waiting.content.decode()
    assert "hx-trigger" not in done.content.decode()
    assert "hx-trigger" not in given_up.content.decode()


def test_header_asks_less_often_the_longer_the_refresh_takes(client, s360):
    client.force_login(s360.executive)
    snapshot = insight(s360.account)
    type(snapshot).objects.filter(pk=snapshot.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))

    def delay(seconds_ago: int) -> str:
        since = timezone.now() - dt.timedelta(seconds=seconds_ago)
        response = client.get(url("section", s360.account.pk, "header"), {"since": since.isoformat()})
        return response.content.decode().split('hx-trigger="load delay:')[1].split('"')[0]

    assert [delay(0), delay(7), delay(12), delay(25)] == ["1s", "2s", "3s", "5s"]


def test_polling_the_header_reads_only_the_account_and_its_snapshot(client, s360, django_assert_num_queries):
    client.force_login(s360.executive)
    since = timezone.now().isoformat()
    client.get(url("section", s360.account.pk, "header"), {"since": since})  # warm the session

    # The session, the user, then the account joined with its snapshot, segment and service model.
    with django_assert_num_queries(3):
        response = client.get(url("section", s360.account.pk, "header"), {"since": since})

    assert 'data-testid="header-refreshing"' in response.content.decode()


# Query budget: the same whatever the size of the account


def grow(account, executive, n: int) -> None:
    line = ProductLineFactory()
    product = ProductFactory(product_line=line)
    for i in range(n):
        order_create(
            actor=None,
            account=account,
            number=f"G-{i:04d}",
            date=TODAY() - dt.timedelta(days=i + 1),
            lines=[LineInput(product=product, quantity=Decimal(1), unit_price=Decimal(1000))],
        )
        contact = ContactFactory(account=account, buying_role="user")
        InteractionFactory(account=account, user=executive).contacts.set([contact])
        CommitmentFactory(account=account, promised_to=contact, due_date=TODAY() + dt.timedelta(days=i))
        AccountTeamMemberFactory(account=account, role="specialist", product_line=ProductLineFactory())
        OpportunityFactory(account=account, owner=executive)
    insights_refresh_accounts(account_ids=[account.pk])


@pytest.mark.parametrize("size", [1, 40])
def test_account_page_query_budget_does_not_grow_with_the_account(
    client, db, make_user, django_assert_max_num_queries, size
):
    executive = make_user(Role.ACCOUNT_EXECUTIVE)
    account = AccountFactory(portfolio=PortfolioFactory(owner=executive))
    grow(account, executive, size)
    client.force_login(executive)

    with django_assert_max_num_queries(ACCOUNT_PAGE_QUERIES):
        response = client.get(url("detail", account.pk))

    assert response.context["buying_center"].total == size
    assert len(response.context["overview"].orders) == min(size, 10)
    assert len(response.context["opportunities"]) == min(size, 10)


def test_the_page_lists_the_accounts_opportunities(client, s360):
    OpportunityFactory(account=s360.account, owner=s360.executive, name="Renovación de taladros 2027")
    OpportunityFactory(account=s360.elsewhere, owner=s360.other_executive, name="Oportunidad ajena")
    client.force_login(s360.executive)

    response = client.get(url("detail", s360.account.pk))

    body = response.content.decode()
    assert [o.name for o in response.context["opportunities"]] == ["Renovación de taladros 2027"]
    assert 'data-testid="opportunities-section"' in body
    assert "Renovación de taladros 2027" in body and "Oportunidad ajena" not in body


# Quick actions: log an interaction


def test_logging_an_interaction_clears_the_disconnection_alert(
    client, s360, django_capture_on_commit_callbacks
):
    client.force_login(s360.executive)
    marcela = Contact.objects.get(account=s360.quiet)
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("interaction_new", s360.quiet.pk),
            {
                "kind": "visit",
                "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "summary": "Visita para retomar la relación.",
                "contacts": [marcela.pk],
            },
            **HTMX,
        )

    assert response.status_code == 200
    events = triggers(response)
    assert events["interactions-changed"] is True
    assert events["quick-action-done"]["message"] == "Se registró la interacción."
    interaction = Interaction.objects.get(account=s360.quiet, kind="visit")
    assert list(interaction.contacts.all()) == [marcela]
    assert interaction.user == s360.executive
    row = insight(s360.quiet)
    assert (row.days_without_contact, row.is_disconnected) == (0, False)
    header = client.get(
        url("section", s360.quiet.pk, "header"), {"since": events["account-changed"]["since"]}
    )
    assert events["account-changed"]["since"] >= before.isoformat()
    assert "disconnection-alert" not in header.content.decode()
    assert "hx-trigger" not in header.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "", "occurred_at": "2026-01-05T10:00"}, "kind"),
        ({"kind": "telepathy", "occurred_at": "2026-01-05T10:00"}, "kind"),
        ({"kind": "call", "occurred_at": "ayer"}, "occurred_at"),
        ({"kind": "call", "occurred_at": "2099-01-01T10:00"}, "occurred_at"),
    ],
)
def test_an_invalid_interaction_is_refused_inline_and_nothing_is_logged(client, s360, data, field):
    client.force_login(s360.executive)
    before = Interaction.objects.count()

    response = client.post(url("interaction_new", s360.account.pk), data, **HTMX)

    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert "HX-Trigger" not in response
    assert 'data-testid="quick-action-form"' in response.content.decode()
    assert Interaction.objects.count() == before


def test_an_interaction_may_not_name_a_contact_of_another_account(client, s360):
    client.force_login(s360.executive)
    stranger = Contact.objects.filter(account=s360.quiet).get()

    response = client.post(
        url("interaction_new", s360.account.pk),
        {"kind": "call", "occurred_at": "2026-01-05T10:00", "contacts": [stranger.pk]},
        **HTMX,
    )

    assert response.status_code == 422
    assert "contacts" in response.context["form"].errors
    assert not Interaction.objects.filter(account=s360.account, occurred_at__date="2026-01-05").exists()


def test_the_interaction_form_opens_in_the_modal_with_the_accounts_contacts(client, s360):
    client.force_login(s360.executive)

    response = client.get(url("interaction_new", s360.account.pk), **HTMX)

    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    offered = set(response.context["form"].fields["contacts"].queryset)
    assert offered == set(s360.contacts)


# Quick actions: commitments


def test_recording_a_commitment_refreshes_the_commitments(client, s360):
    client.force_login(s360.executive)
    due = TODAY() + dt.timedelta(days=10)

    response = client.post(
        url("commitment_new", s360.account.pk),
        {
            "description": "Enviar catálogo 2027",
            "due_date": due.isoformat(),
            "promised_to": s360.contacts[1].pk,
        },
        **HTMX,
    )

    assert response.status_code == 200
    assert set(triggers(response)) == {"commitments-changed", "account-changed", "quick-action-done"}
    commitment = Commitment.objects.get(description="Enviar catálogo 2027")
    assert (commitment.account, commitment.due_date, commitment.promised_to, commitment.promised_by) == (
        s360.account,
        due,
        s360.contacts[1],
        s360.executive,
    )
    assert commitment.status == "open"


def test_an_invalid_commitment_is_refused_inline(client, s360):
    client.force_login(s360.executive)
    before = Commitment.objects.count()

    response = client.post(
        url("commitment_new", s360.account.pk),
        {
            "description": "",
            "due_date": "31-02-2026",
            "promised_to": Contact.objects.get(account=s360.quiet).pk,
        },
        **HTMX,
    )

    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"description", "due_date", "promised_to"}
    assert Commitment.objects.count() == before


@pytest.mark.parametrize(("status", "trust"), [("kept", Decimal("0.6667")), ("broken", Decimal("0.3333"))])
def test_closing_a_commitment_changes_the_trust_score(
    client, s360, django_capture_on_commit_callbacks, status, trust
):
    client.force_login(s360.executive)
    commitment = Commitment.objects.get(description__startswith="Cotizar guantes")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("commitment_close", s360.account.pk, commitment.pk),
            {"status": status, "version": commitment.version},
            **HTMX,
        )

    assert response.status_code == 200
    assert "account-changed" in triggers(response)
    commitment.refresh_from_db()
    assert (commitment.status, commitment.resolved_on) == (status, TODAY())
    assert insight(s360.account).trust_score == trust
    assert commitment.pk not in [c.pk for c in response.context["commitments"].open]
    header = client.get(url("section", s360.account.pk, "header")).content.decode()
    assert f'data-testid="trust-score">{round(trust * 100)} %<' in header


def test_closing_a_commitment_with_a_stale_version_is_refused_and_changes_nothing(client, s360):
    client.force_login(s360.executive)
    commitment = Commitment.objects.get(description__startswith="Cotizar guantes")
    Commitment.objects.filter(pk=commitment.pk).update(version=commitment.version + 1)

    response = client.post(
        url("commitment_close", s360.account.pk, commitment.pk),
        {"status": "kept", "version": commitment.version},
        **HTMX,
    )

    assert response.status_code == 409
    assert "HX-Trigger" not in response
    assert 'data-testid="commitment-error"' in response.content.decode()
    commitment.refresh_from_db()
    assert (commitment.status, commitment.resolved_on) == ("open", None)


def test_closing_an_already_closed_commitment_or_with_no_outcome_is_refused(client, s360):
    client.force_login(s360.executive)
    kept = Commitment.objects.get(description="Despachar muestras de guantes")
    open_one = Commitment.objects.get(description__startswith="Cotizar guantes")

    again = client.post(
        url("commitment_close", s360.account.pk, kept.pk),
        {"status": "broken", "version": kept.version},
        **HTMX,
    )
    reopen = client.post(
        url("commitment_close", s360.account.pk, open_one.pk),
        {"status": "open", "version": open_one.version},
        **HTMX,
    )

    assert (again.status_code, reopen.status_code) == (409, 422)
    kept.refresh_from_db()
    open_one.refresh_from_db()
    assert (kept.status, open_one.status) == ("kept", "open")


def test_a_commitment_of_another_account_is_not_found_through_this_one(client, s360):
    client.force_login(s360.executive)
    other = CommitmentFactory(account=s360.quiet)

    response = client.post(
        url("commitment_close", s360.account.pk, other.pk),
        {"status": "kept", "version": other.version},
        **HTMX,
    )

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "open"


# Quick actions: contacts and team


def test_adding_a_contact_from_the_page_fills_the_buying_center_gap(client, s360):
    client.force_login(s360.executive)

    response = client.post(
        url("contact_new", s360.quiet.pk),
        {"first_name": "Patricio", "last_name": "Soto", "buying_role": "decision_maker", "language": "es"},
        **HTMX,
    )

    assert response.status_code == 200
    assert "contacts-changed" in triggers(response)
    # A contact feeds no insight: the header does not wait for a refresh that was never queued.
    assert "account-changed" not in triggers(response)
    center = client.get(url("section", s360.quiet.pk, "buying-center")).context["buying_center"]
    assert center.gaps == ["No se conoce al comprador económico"]


def test_an_invalid_contact_from_the_page_is_refused_inline(client, s360):
    client.force_login(s360.executive)

    response = client.post(
        url("contact_new", s360.quiet.pk), {"first_name": "", "last_name": "Soto", "language": "es"}, **HTMX
    )

    assert response.status_code == 422
    assert "first_name" in response.context["form"].errors
    assert not Contact.objects.filter(last_name="Soto", account=s360.quiet).exists()


def test_adding_a_specialist_closes_the_coverage_gap(client, s360, make_user):
    client.force_login(s360.executive)
    safety = ProductLineFactory._meta.model.objects.get(name="Seguridad laboral")
    specialist = make_user(Role.SPECIALIST, first_name="Rosa", last_name="Lagos")

    response = client.post(
        url("team_member_new", s360.account.pk),
        {"user": specialist.pk, "role": "specialist", "product_line": safety.pk},
        **HTMX,
    )

    assert response.status_code == 200
    assert "team-changed" in triggers(response)
    assert "account-changed" not in triggers(response)  # no insights refresh to wait for
    assert triggers(response)["quick-action-done"]["message"] == "Rosa Lagos se unió al equipo de la cuenta."
    coverage = client.get(url("section", s360.account.pk, "team")).context["coverage"]
    assert coverage.gaps == []


@pytest.mark.parametrize(
    ("data", "field"),
    [({"role": "specialist"}, "product_line"), ({"role": "responsible", "self": True}, None)],
)
def test_an_invalid_or_repeated_team_member_is_refused_inline(client, s360, make_user, data, field):
    client.force_login(s360.executive)
    person = s360.executive if data.pop("self", False) else make_user(Role.SPECIALIST)
    before = AccountTeamMember.objects.count()

    response = client.post(url("team_member_new", s360.account.pk), {"user": person.pk, **data}, **HTMX)

    assert response.status_code == 422
    errors = response.context["form"].errors
    if field:
        assert field in errors
    else:
        assert errors["__all__"] == ["Valentina Soto ya está en el equipo de esta cuenta con ese rol."]
    assert AccountTeamMember.objects.count() == before


def test_without_htmx_a_quick_action_is_a_page_that_returns_to_the_account(client, s360):
    client.force_login(s360.executive)

    form = client.get(url("commitment_new", s360.account.pk))
    saved = client.post(
        url("commitment_new", s360.account.pk),
        {"description": "Llamar por la renovación", "due_date": (TODAY() + dt.timedelta(days=3)).isoformat()},
    )

    assert form.status_code == 200
    assert "<html" in form.content.decode()
    assert saved.status_code == 302
    assert saved["Location"] == url("detail", s360.account.pk)


# Who may act


QUICK_ACTIONS = [
    ("interaction_new", {"kind": "call", "occurred_at": "2026-01-05T10:00"}, Interaction),
    ("commitment_new", {"description": "Enviar cotización", "due_date": "2026-12-24"}, Commitment),
    ("contact_new", {"first_name": "Ana", "last_name": "Pinto", "language": "es"}, Contact),
    ("team_member_new", {"role": "support"}, AccountTeamMember),
]


@pytest.mark.parametrize(("name", "data", "model"), QUICK_ACTIONS)
def test_an_executive_posting_to_an_account_they_cannot_see_gets_404(client, s360, name, data, model):
    client.force_login(s360.executive)
    before = model.objects.count()
    if name == "team_member_new":
        data = {**data, "user": s360.executive.pk}

    response = client.post(url(name, s360.elsewhere.pk), data, **HTMX)

    assert response.status_code == 404
    assert model.objects.count() == before


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.MARKETING_ANALYST])
@pytest.mark.parametrize(("name", "data", "model"), QUICK_ACTIONS)
def test_read_only_roles_get_403_on_every_quick_action(client, s360, make_user, role, name, data, model):
    reader = make_user(role)
    client.force_login(reader)
    before = model.objects.count()
    if name == "team_member_new":
        data = {**data, "user": reader.pk}

    assert client.get(url(name, s360.account.pk), **HTMX).status_code == 403
    assert client.post(url(name, s360.account.pk), data, **HTMX).status_code == 403
    assert model.objects.count() == before


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.MARKETING_ANALYST])
def test_read_only_roles_may_not_close_commitments_and_see_no_actions(client, s360, make_user, role):
    client.force_login(make_user(role))
    commitment = Commitment.objects.get(description__startswith="Cotizar guantes")

    page = client.get(url("detail", s360.account.pk))
    response = client.post(
        url("commitment_close", s360.account.pk, commitment.pk),
        {"status": "kept", "version": commitment.version},
    )

    assert page.status_code == 200
    assert 'data-testid="action-interaction"' not in page.content.decode()
    assert 'data-testid="close-commitment"' not in page.content.decode()
    assert response.status_code == 403
    commitment.refresh_from_db()
    assert commitment.status == "open"


def test_an_executive_closing_a_commitment_of_an_account_they_cannot_see_gets_404(client, s360):
    client.force_login(s360.executive)
    commitment = CommitmentFactory(account=s360.elsewhere)

    response = client.post(
        url("commitment_close", s360.elsewhere.pk, commitment.pk),
        {"status": "kept", "version": commitment.version},
    )

    assert response.status_code == 404
    commitment.refresh_from_db()
    assert commitment.status == "open"
