"""A realistic account with everything the account page shows: used by the page's tests, its query
budget and the browser test that takes the screenshot in docs/."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from cartera.accounts.models import Account, Contact
from cartera.accounts.tests.factories import AccountFactory, ContactFactory
from cartera.commerce.models import Order, Product
from cartera.commerce.services import LineInput, order_create
from cartera.commerce.tests.factories import ProductFactory, ProductLineFactory
from cartera.core.testing import make_rut
from cartera.core.text import normalize
from cartera.coverage.tests.factories import (
    AccountTeamMemberFactory,
    PortfolioFactory,
    TerritoryFactory,
    TerritoryRegionFactory,
)
from cartera.relationship.tests.factories import CommitmentFactory, InteractionFactory
from cartera.users.models import Role, User
from cartera.users.tests.factories import UserFactory

SHOWCASE_TAX_ID = make_rut(76_086_428)  # written 76.086.428-5


@dataclass
class Showcase:
    account: Account
    executive: User
    contacts: list[Contact]
    orders: list[Order]


def build_showcase(*, executive: User | None = None, today: dt.date | None = None) -> Showcase:
    """Ñuñoa Insumos: a client in the executive's portfolio with a team, five contacts, six orders,
    five interactions and three open commitments (one overdue)."""
    today = today or timezone.localdate()
    executive = executive or UserFactory.create(
        username="vsoto", first_name="Valentina", last_name="Soto", role=Role.ACCOUNT_EXECUTIVE
    )
    specialist = UserFactory.create(
        username="crojas", first_name="Camila", last_name="Rojas", role=Role.SPECIALIST
    )
    support = UserFactory.create(
        username="dfuentes", first_name="Diego", last_name="Fuentes", role=Role.SUPPORT_AGENT
    )
    manager = UserFactory.create(
        username="mparedes", first_name="Martín", last_name="Paredes", role=Role.SALES_MANAGER
    )
    territory = TerritoryFactory.create(name="Zona Centro", responsible=executive)
    TerritoryRegionFactory.create(territory=territory, region="CL-RM")
    portfolio = PortfolioFactory.create(name="Santiago Oriente", owner=executive)
    account = AccountFactory.create(
        legal_name="Comercializadora Ñuñoa Limitada",
        trade_name="Ñuñoa Insumos",
        tax_id=SHOWCASE_TAX_ID,
        region="CL-RM",
        city="Ñuñoa",
        industry="wholesale",
        size_band="medium",
        status="client",
        strategic_fit=4,
        strategic_fit_note="Distribuidor clave de la zona oriente; compra todas las líneas.",
        portfolio=portfolio,
        territory=territory,
    )
    hardware = ProductLineFactory.create(code="FER", name="Ferretería industrial")
    safety = ProductLineFactory.create(code="SEG", name="Seguridad laboral")
    AccountTeamMemberFactory.create(account=account, user=executive, role="responsible")
    AccountTeamMemberFactory.create(
        account=account, user=specialist, role="specialist", product_line=hardware
    )
    AccountTeamMemberFactory.create(account=account, user=support, role="support")
    AccountTeamMemberFactory.create(account=account, user=manager, role="sponsor")

    people = [
        ("Rodrigo", "Muñoz Ibáñez", "Gerente general", "decision_maker", "+56229876543"),
        ("Francisca", "Álvarez", "Gerenta de finanzas", "economic_buyer", "+56961234567"),
        ("Tomás", "Herrera", "Jefe de mantención", "technical_evaluator", "+56987654321"),
        ("Javiera", "Contreras", "Encargada de compras", "purchaser", "+56955551234"),
        ("Ignacio", "Vidal", "Asistente de gerencia", "gatekeeper", ""),
    ]
    contacts = [
        ContactFactory.create(
            account=account,
            first_name=first,
            last_name=last,
            job_title=title,
            buying_role=role,
            phone=phone,
            email=f"{normalize(first)}.{normalize(last.split()[0])}@nunoainsumos.cl",
        )
        for first, last, title, role, phone in people
    ]

    gloves = ProductFactory.create(
        name="Guantes de nitrilo (caja 100)", product_line=safety, list_price=Decimal(8900)
    )
    drill = ProductFactory.create(
        name="Taladro percutor 800 W", product_line=hardware, list_price=Decimal(74990)
    )
    orders_spec: list[tuple[int, str, str, list[tuple[Product, int, int, float]]]] = [
        (5, "sales_rep", "straight_rebuy", [(gloves, 40, 8900, 5), (drill, 3, 74990, 0)]),
        (19, "portal", "straight_rebuy", [(gloves, 25, 8900, 0)]),
        (41, "sales_rep", "modified_rebuy", [(drill, 10, 74990, 12.5), (gloves, 60, 8500, 0)]),
        (68, "import", "straight_rebuy", [(gloves, 30, 8900, 0)]),
        (97, "sales_rep", "new_buy", [(drill, 24, 71990, 10)]),
        (130, "portal", "straight_rebuy", [(gloves, 20, 8900, 0)]),
    ]
    orders = []
    # Oldest first, as they were placed: the page must order them by date, not by insertion.
    for number, (days_ago, channel, purchase_type, lines) in reversed(list(enumerate(orders_spec, start=1))):
        order = order_create(
            actor=None,
            account=account,
            number=f"OC-2026-{1200 - number:04d}",
            date=today - dt.timedelta(days=days_ago),
            channel=channel,
            purchase_type=purchase_type,
            lines=[
                LineInput(
                    product=product,
                    quantity=Decimal(quantity),
                    unit_price=Decimal(price),
                    discount_pct=Decimal(str(discount)),
                )
                for product, quantity, price, discount in lines
            ],
        )
        orders.append(order)

    def at(days_ago: int, hour: int, minute: int) -> dt.datetime:
        # On local calendar days before `today`, so the page looks the same all day long.
        day = today - dt.timedelta(days=days_ago)
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    interactions = [
        (
            at(2, 10, 30),
            "visit",
            executive,
            "Visita a bodega: revisamos stock y el plan de reposición.",
            [0, 3],
        ),
        (
            at(9, 16, 5),
            "call",
            specialist,
            "Llamada técnica por la falla de dos taladros; se coordinó el cambio.",
            [2],
        ),
        (
            at(16, 9, 15),
            "email",
            executive,
            "Envío de la lista de precios 2027 con descuento por volumen.",
            [1, 3],
        ),
        (at(30, 11, 0), "meeting", manager, "Reunión trimestral de cuenta con la gerencia.", [0, 1]),
        (at(45, 15, 40), "support", support, "Consulta por la facturación del pedido del portal.", [3]),
    ]
    for occurred_at, kind, user, summary, who in interactions:
        interaction = InteractionFactory.create(
            account=account, kind=kind, user=user, summary=summary, occurred_at=occurred_at
        )
        interaction.contacts.set([contacts[i] for i in who])

    CommitmentFactory.create(
        account=account,
        description="Enviar nota de crédito por los taladros defectuosos",
        due_date=today - dt.timedelta(days=4),
        promised_by=specialist,
        promised_to=contacts[2],
    )
    CommitmentFactory.create(
        account=account,
        description="Cotizar guantes anticorte para la planta de Quilicura",
        due_date=today + dt.timedelta(days=6),
        promised_by=executive,
        promised_to=contacts[3],
    )
    CommitmentFactory.create(
        account=account,
        description="Agendar capacitación en uso seguro de herramientas",
        due_date=today + dt.timedelta(days=20),
        promised_by=executive,
        promised_to=contacts[0],
    )
    CommitmentFactory.create(
        account=account,
        description="Despachar muestras de guantes",
        due_date=today - dt.timedelta(days=30),
        promised_by=executive,
        status="kept",
    )
    return Showcase(account=account, executive=executive, contacts=contacts, orders=orders)
