"""The segments and service models a new company starts with: a sensible first split of the portfolio
that an administrator then tunes.

Evaluated in priority order (the first that matches wins):

10 Estratégicos: profit class A, and strategic fit 4 or more or a frequent or loyal client. A dedicated
   executive, contact at least every 30 days, cases answered in 4 hours and solved in 24, reviewed
   every quarter.
20 Revisar rentabilidad: clients that lost money in the last 12 months (class L with a negative net
   profit and at least one order ever). A shared team that keeps the cost to serve down: contact every
   90 days, reviewed every month until the terms are fixed.
30 Desarrollar: room to grow: class B or C with strategic fit 3 or more, or a buyer or sporadic client
   with fit 4 or more. A shared development team, contact every 45 days.
40 Autoservicio digital: micro and small companies with low revenue in the last 12 months. Served through
   the portal, contact every 120 days, reviewed once a year.
   Mantener (the default): every other account. A shared team, contact every 60 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from cartera.insights.models import Segment, ServiceModel
from cartera.insights.segment_services import (
    queue_segments_reassign,
    segment_create,
    service_model_create,
)

# Below this revenue in the last 12 months a micro or small company is served digitally, in the
# company's currency (about 5,000 US dollars; a starting point to tune, not a market fact).
SELF_SERVICE_REVENUE_CEILING: dict[str, int] = {
    "CLP": 5_000_000,
    "ARS": 6_000_000,
    "COP": 20_000_000,
    "MXN": 100_000,
    "PEN": 20_000,
    "UYU": 200_000,
    "EUR": 5_000,
    "USD": 5_000,
}
FALLBACK_REVENUE_CEILING = 5_000


@dataclass(frozen=True)
class ServiceModelDefault:
    name: str
    coverage: str
    max_days_without_contact: int
    first_response_hours: int
    resolution_hours: int
    review_cadence_days: int


@dataclass(frozen=True)
class SegmentDefault:
    name: str
    priority: int
    service_model: str
    description: str
    rule: dict[str, Any]
    is_default: bool = False


SERVICE_MODELS = [
    ServiceModelDefault("Ejecutivo dedicado", ServiceModel.Coverage.DEDICATED, 30, 4, 24, 90),
    ServiceModelDefault("Equipo de desarrollo", ServiceModel.Coverage.SHARED, 45, 8, 48, 90),
    ServiceModelDefault("Equipo compartido", ServiceModel.Coverage.SHARED, 60, 8, 72, 180),
    ServiceModelDefault("Seguimiento de rentabilidad", ServiceModel.Coverage.SHARED, 90, 24, 120, 30),
    ServiceModelDefault("Autoservicio digital", ServiceModel.Coverage.SELF_SERVICE, 120, 24, 120, 365),
]


def _condition(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


def default_segments(currency: str | None = None) -> list[SegmentDefault]:
    """The five default segments, with the low-revenue threshold in `currency` (the company's default)."""
    code = (currency or settings.CARTERA_DEFAULT_CURRENCY).upper()
    ceiling = SELF_SERVICE_REVENUE_CEILING.get(code, FALLBACK_REVENUE_CEILING)
    return [
        SegmentDefault(
            name="Estratégicos",
            priority=10,
            service_model="Ejecutivo dedicado",
            description=(
                "Clientes clase A por utilidad neta, con alto calce estratégico (4 o más) o que compran "
                "con frecuencia o son incondicionales."
            ),
            rule={
                "all": [
                    _condition("profit_class", "=", "A"),
                    {
                        "any": [
                            _condition("strategic_fit", ">=", 4),
                            _condition("tier", "in", ["frequent", "loyal"]),
                        ]
                    },
                ]
            },
        ),
        SegmentDefault(
            name="Revisar rentabilidad",
            priority=20,
            service_model="Seguimiento de rentabilidad",
            description=(
                "Clientes que perdieron dinero en los últimos 12 meses: revisar condiciones, descuentos "
                "y costo de servir."
            ),
            rule={
                "all": [
                    _condition("profit_class", "=", "L"),
                    _condition("net_profit_12m", "<", 0),
                    _condition("orders_total", ">=", 1),
                ]
            },
        ),
        SegmentDefault(
            name="Desarrollar",
            priority=30,
            service_model="Equipo de desarrollo",
            description=(
                "Clientes con espacio para crecer: clase B o C con calce estratégico 3 o más, o "
                "compradores y esporádicos con calce 4 o más."
            ),
            rule={
                "all": [
                    {
                        "any": [
                            {
                                "all": [
                                    _condition("profit_class", "in", ["B", "C"]),
                                    _condition("strategic_fit", ">=", 3),
                                ]
                            },
                            {
                                "all": [
                                    _condition("tier", "in", ["buyer", "sporadic"]),
                                    _condition("strategic_fit", ">=", 4),
                                ]
                            },
                        ]
                    }
                ]
            },
        ),
        SegmentDefault(
            name="Autoservicio digital",
            priority=40,
            service_model="Autoservicio digital",
            description="Micro y pequeñas empresas de bajo volumen, atendidas por el portal.",
            rule={
                "all": [
                    _condition("size", "in", ["micro", "small"]),
                    _condition("revenue_12m", "<", ceiling),
                ]
            },
        ),
        SegmentDefault(
            name="Mantener",
            priority=100,
            service_model="Equipo compartido",
            description="Todas las demás cuentas: mantener la relación con un equipo compartido.",
            rule={"all": []},
            is_default=True,
        ),
    ]


def create_default_segments(*, actor: Any = None, currency: str | None = None) -> list[Segment]:
    """Create the default service models and segments that do not exist yet (matched by name), and
    return the segments created: none on a second call. Nothing existing is changed; the default
    "Mantener" is skipped when another segment is already the default. Accounts are re-segmented after
    commit when something was created."""
    created: list[Segment] = []
    with transaction.atomic():
        models_by_name = {model.name: model for model in ServiceModel.objects.all()}
        for spec in SERVICE_MODELS:
            if spec.name not in models_by_name:
                models_by_name[spec.name] = service_model_create(
                    actor=actor,
                    name=spec.name,
                    coverage=spec.coverage,
                    max_days_without_contact=spec.max_days_without_contact,
                    first_response_hours=spec.first_response_hours,
                    resolution_hours=spec.resolution_hours,
                    review_cadence_days=spec.review_cadence_days,
                )
        existing = set(Segment.objects.values_list("name", flat=True))
        has_default = Segment.objects.filter(is_default=True).exists()
        for segment in default_segments(currency):
            if segment.name in existing or (segment.is_default and has_default):
                continue
            created.append(
                segment_create(
                    actor=actor,
                    name=segment.name,
                    priority=segment.priority,
                    service_model=models_by_name[segment.service_model],
                    rule=segment.rule,
                    description=segment.description,
                    is_default=segment.is_default,
                    reassign=False,
                )
            )
        if created:
            queue_segments_reassign()
    return created
