"""The pipeline pages: what each role sees and may do, moves with their version check, and query budgets."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cartera.accounts.tests.factories import ContactFactory
from cartera.commerce.tests.factories import ProductLineFactory
from cartera.pipeline.models import Opportunity, OpportunityContact, Stage
from cartera.pipeline.tests.factories import OpportunityContactFactory, OpportunityFactory
from cartera.users.models import Role

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def deals(world):
    """One open deal on each world account."""
    return {
        key: OpportunityFactory(account=getattr(world, key), name=f"Negocio {key}")
        for key in ("in_portfolio", "on_team", "elsewhere")
    }


def card_ids(response) -> set[int]:
    return {card.pk for column in response.context["board"].columns for card in column.cards}


@pytest.mark.parametrize(
    "role,visible",
    [
        (Role.SALES_MANAGER, {"in_portfolio", "on_team", "elsewhere"}),
        (Role.SUPPORT_AGENT, {"in_portfolio", "on_team", "elsewhere"}),
        (Role.ACCOUNT_EXECUTIVE, {"in_portfolio", "on_team"}),
        (Role.SPECIALIST, {"on_team"}),
    ],
)
def test_the_board_shows_the_deals_of_the_accounts_each_role_may_see(client, world, deals, role, visible):
    client.force_login(world.user(role))
    response = client.get(reverse("pipeline:board"))
    assert response.status_code == 200
    assert card_ids(response) == {deals[key].pk for key in visible}


def test_read_only_roles_see_the_board_without_move_controls(client, world, deals):
    client.force_login(world.support)
    response = client.get(reverse("pipeline:board"))
    html = response.content.decode()
    assert response.context["board"].may_move is False
    assert 'draggable="true"' not in html and 'form="kanban-move"' not in html
    client.force_login(world.executive)
    html = client.get(reverse("pipeline:board")).content.decode()
    assert html.count('draggable="true"') == 2 and html.count('form="kanban-move"') == 2


def test_column_totals_count_amount_and_weighted_amount(client, world):
    OpportunityFactory(
        account=world.in_portfolio, stage=Stage.PROPOSAL, probability=50, amount_cents=1_000_000_00
    )
    OpportunityFactory(
        account=world.in_portfolio, stage=Stage.PROPOSAL, probability=25, amount_cents=200_000_00
    )
    client.force_login(world.manager)
    response = client.get(reverse("pipeline:board"))
    proposal = response.context["board"].columns[2]
    assert (proposal.stage, proposal.count) == (Stage.PROPOSAL, 2)
    assert [(t.currency, t.amount_cents, t.weighted_cents) for t in proposal.totals] == [
        ("CLP", 1_200_000_00, 550_000_00)
    ]
    assert "$1.200.000" in response.content.decode() and "$550.000" in response.content.decode()


def test_the_board_filters_by_portfolio_product_line_and_search(client, world, deals):
    line = ProductLineFactory(code="SEG")
    Opportunity.objects.filter(pk=deals["elsewhere"].pk).update(product_line=line)
    client.force_login(world.manager)
    board = reverse("pipeline:board")
    portfolio = world.in_portfolio.portfolio_id
    assert card_ids(client.get(board, {"portfolio": portfolio})) == {deals["in_portfolio"].pk}
    assert card_ids(client.get(board, {"product_line": line.pk})) == {deals["elsewhere"].pk}
    assert card_ids(client.get(board, {"q": "tamarugal"})) == {deals["elsewhere"].pk}


def test_a_refused_filter_value_shows_no_deal_and_marks_the_filter(client, world, deals):
    # A portfolio that does not exist, or one the executive may not see, is not "all portfolios".
    client.force_login(world.manager)
    response = client.get(reverse("pipeline:board"), {"portfolio": 999_999})
    assert card_ids(response) == set()
    assert 'id="id_portfolio-errors"' in response.content.decode()
    client.force_login(world.executive)
    response = client.get(reverse("pipeline:board"), {"portfolio": world.elsewhere.portfolio_id})
    assert card_ids(response) == set()


def test_only_managers_get_the_owner_filter(client, world, deals):
    Opportunity.objects.filter(pk=deals["on_team"].pk).update(owner=world.other_executive)
    client.force_login(world.manager)
    response = client.get(reverse("pipeline:board"), {"owner": world.other_executive.pk})
    assert card_ids(response) == {deals["on_team"].pk}
    client.force_login(world.executive)
    response = client.get(reverse("pipeline:board"), {"owner": world.other_executive.pk})
    assert "owner" not in response.context["filter"].form.fields
    assert card_ids(response) == {deals["in_portfolio"].pk, deals["on_team"].pk}


def test_the_won_and_lost_summary_covers_the_last_90_days(client, world):
    today = dt.date.today()
    OpportunityFactory(account=world.in_portfolio, stage=Stage.WON, closed_on=today, amount_cents=500_00)
    OpportunityFactory(
        account=world.in_portfolio,
        stage=Stage.LOST,
        closed_on=today,
        close_reason="price",
        amount_cents=70_00,
    )
    OpportunityFactory(
        account=world.in_portfolio,
        stage=Stage.LOST,
        closed_on=today - dt.timedelta(days=90),
        close_reason="timing",
    )
    client.force_login(world.manager)
    board = client.get(reverse("pipeline:board")).context["board"]
    assert (board.won.count, [t.amount_cents for t in board.won.totals]) == (1, [500_00])
    assert (board.lost.count, board.lost.reasons) == (1, [("Precio", 1)])


def test_the_board_query_budget_does_not_grow_with_the_cards(client, world, django_assert_max_num_queries):
    client.force_login(world.executive)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("pipeline:board")).status_code == 200
        return len(queries)

    deal = OpportunityFactory(account=world.in_portfolio)
    OpportunityContactFactory(opportunity=deal)
    few = count_queries()
    for n in range(30):
        account = world.in_portfolio if n % 2 else world.on_team
        deal = OpportunityFactory(account=account, stage=list(Stage)[n % 4])
        OpportunityContactFactory(
            opportunity=deal, contact=ContactFactory(account=account), role="influencer"
        )
    many = count_queries()
    assert many == few
    with django_assert_max_num_queries(12):
        client.get(reverse("pipeline:board"))


def test_a_move_from_the_board_answers_with_the_message_and_the_board_drawn_again(client, world, deals):
    deal = deals["in_portfolio"]
    client.force_login(world.executive)
    response = client.post(
        reverse("pipeline:move", args=[deal.pk]), {"stage": "discovery", "version": 1}, **JSON
    )
    data = response.json()
    assert response.status_code == 200 and data["ok"] is True
    assert data["message"] == "Negocio in_portfolio pasó a Análisis de necesidades."
    assert f'id="opportunity-{deal.pk}"' in data["board"] and 'data-stage="discovery"' in data["board"]
    deal.refresh_from_db()
    assert (deal.stage, deal.version, deal.probability) == (Stage.DISCOVERY, 2, 25)


def test_a_stale_move_is_refused_with_409_and_the_card_where_it_really_is(client, world, deals):
    deal = deals["in_portfolio"]
    Opportunity.objects.filter(pk=deal.pk).update(stage=Stage.PROPOSAL, version=2)
    client.force_login(world.executive)
    response = client.post(
        reverse("pipeline:move", args=[deal.pk]), {"stage": "discovery", "version": 1}, **JSON
    )
    assert response.status_code == 409
    data = response.json()
    assert data["ok"] is False and data["message"].startswith("Alguien más modificó Negocio in_portfolio")
    proposal_column = data["board"].split('data-testid="column-proposal"')[1].split("</section>")[0]
    assert f'id="opportunity-{deal.pk}"' in proposal_column
    assert Opportunity.objects.get(pk=deal.pk).stage == Stage.PROPOSAL


def test_a_move_without_the_script_redirects_back_to_the_board_with_a_message(client, world, deals):
    deal = deals["in_portfolio"]
    client.force_login(world.executive)
    response = client.post(
        reverse("pipeline:move", args=[deal.pk]),
        {"move": "proposal:1", "next": "/pipeline/?q=Negocio"},
        follow=True,
    )
    assert response.redirect_chain == [("/pipeline/?q=Negocio", 302)]
    assert [str(m) for m in response.context["messages"]] == ["Negocio in_portfolio pasó a Propuesta."]


def test_moving_a_deal_of_a_hidden_account_is_404_and_a_read_only_role_gets_403(client, world, deals):
    client.force_login(world.executive)
    hidden = deals["elsewhere"]
    assert (
        client.post(
            reverse("pipeline:move", args=[hidden.pk]), {"stage": "proposal", "version": 1}
        ).status_code
        == 404
    )
    client.force_login(world.analyst)
    deal = deals["in_portfolio"]
    response = client.post(
        reverse("pipeline:move", args=[deal.pk]), {"stage": "proposal", "version": 1}, **JSON
    )
    assert response.status_code == 403
    assert (
        client.post(reverse("pipeline:move", args=[deal.pk]), {"stage": "proposal", "version": 1}).status_code
        == 403
    )
    assert Opportunity.objects.get(pk=deal.pk).version == 1


def test_edit_page_is_404_when_hidden_read_only_for_analysts_and_403_on_post(client, world, deals):
    client.force_login(world.executive)
    assert client.get(reverse("pipeline:edit", args=[deals["elsewhere"].pk])).status_code == 404
    client.force_login(world.analyst)
    url = reverse("pipeline:edit", args=[deals["in_portfolio"].pk])
    response = client.get(url)
    assert response.status_code == 200 and response.context["may_edit"] is False
    assert client.post(url, {"name": "X"}).status_code == 403
    assert client.get(reverse("pipeline:close", args=[deals["in_portfolio"].pk])).status_code == 403
    assert client.get(reverse("pipeline:new")).status_code == 403


def test_opening_a_deal_with_its_buying_center(client, world):
    account = world.in_portfolio
    contact = account.contacts.get()
    client.force_login(world.executive)
    page = client.get(reverse("pipeline:new"), {"account": account.pk})
    assert page.status_code == 200 and page.context["suggestion"].purchase_type == "new_buy"
    response = client.post(
        reverse("pipeline:new"),
        {
            "account": account.pk,
            "name": "Licitación bodegas",
            "stage": "proposal",
            "amount": "2500000",
            "currency": "CLP",
            "discount_pct": "0",
            "probability": "",
            "expected_close_date": "2026-10-31",
            "purchase_type": "new_buy",
            f"role_{contact.pk}": "economic_buyer",
        },
    )
    deal = Opportunity.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/pipeline/#opportunity-{deal.pk}"
    assert (deal.stage, deal.amount_cents, deal.probability, deal.owner) == (
        "proposal",
        2_500_000_00,
        50,
        world.executive,
    )
    assert list(OpportunityContact.objects.values_list("contact_id", "role")) == [
        (contact.pk, "economic_buyer")
    ]


def test_a_new_deal_for_an_account_the_executive_may_not_see_starts_without_it(client, world):
    client.force_login(world.executive)
    response = client.get(reverse("pipeline:new"), {"account": world.elsewhere.pk})
    assert response.context["account"] is None
    assert world.elsewhere.pk not in [a.pk for a in response.context["form"].fields["account"].queryset]


def test_editing_with_a_stale_version_is_refused_and_nothing_changes(client, world, deals):
    deal = deals["in_portfolio"]
    Opportunity.objects.filter(pk=deal.pk).update(version=3)
    client.force_login(world.executive)
    response = client.post(
        reverse("pipeline:edit", args=[deal.pk]),
        {
            "name": "Cambiado",
            "amount": "1",
            "currency": "CLP",
            "discount_pct": "0",
            "expected_close_date": "2026-10-31",
            "purchase_type": "new_buy",
            "version": 1,
        },
    )
    assert response.status_code == 200 and response.context["conflict"] is True
    assert Opportunity.objects.get(pk=deal.pk).name == "Negocio in_portfolio"


def test_closing_as_lost_needs_a_reason(client, world, deals):
    deal = deals["in_portfolio"]
    client.force_login(world.executive)
    url = reverse("pipeline:close", args=[deal.pk])
    refused = client.post(url, {"outcome": "lost", "reason": "", "closed_on": "2026-03-01", "version": 1})
    assert refused.status_code == 422 and "Indique por qué se perdió" in refused.content.decode()
    assert Opportunity.objects.get(pk=deal.pk).stage == Stage.QUALIFICATION
    done = client.post(
        url, {"outcome": "lost", "reason": "competitor", "closed_on": "2026-03-01", "version": 1}
    )
    assert done.status_code == 302
    stored = Opportunity.objects.get(pk=deal.pk)
    assert (stored.stage, stored.close_reason, stored.closed_on) == (
        Stage.LOST,
        "competitor",
        dt.date(2026, 3, 1),
    )


def test_the_suggestion_fragment_explains_the_purchase_type(client, world):
    client.force_login(world.executive)
    response = client.get(
        reverse("pipeline:suggestion"), {"account": world.in_portfolio.pk, "discount_pct": "5"}
    )
    assert response.status_code == 200
    assert 'data-suggested="new_buy"' in response.content.decode()
    hidden = client.get(reverse("pipeline:suggestion"), {"account": world.elsewhere.pk})
    assert "data-suggested" not in hidden.content.decode()


def test_the_account_page_partial_lists_the_account_deals(client, world, deals):
    client.force_login(world.executive)
    response = client.get(reverse("accounts:detail", args=[world.in_portfolio.pk]))
    assert response.status_code == 200
    assert 'data-testid="account-opportunity"' in response.content.decode()
    assert "Negocio in_portfolio" in response.content.decode()
    assert json.dumps("Negocio elsewhere")[1:-1] not in response.content.decode()
