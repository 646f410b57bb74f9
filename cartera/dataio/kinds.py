"""The kinds of data that come in and go out, their columns, the Spanish names accepted for them, and
how a file's header maps onto them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartera.core.text import normalize


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    """One kind of row a file can hold: its columns (required first) and its upsert key."""

    name: str
    label: str | Promise
    columns: tuple[Column, ...]
    upsert_key: str | Promise
    touches_insights: bool = False

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


_ACCOUNT_REF = (
    Column(
        "account_tax_id",
        True,
        (
            "rut_cliente",
            "rut_cuenta",
            "cliente_rut",
            "nit_cliente",
            "cuit_cliente",
            "rfc_cliente",
            "ruc_cliente",
            "nif_cliente",
            "tax_id",
            "rut",
        ),
    ),
    Column("account_country", False, ("pais_cliente", "pais_cuenta", "pais")),
)

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "accounts",
            gettext_lazy("Accounts"),
            (
                Column("tax_id", True, ("rut", "nit", "cuit", "rfc", "ruc", "nif", "id_tributario")),
                Column("name", True, ("razon_social", "nombre", "legal_name")),
                Column("country", True, ("pais",)),
                Column("region", False, ("region",)),
                Column("city", False, ("ciudad", "comuna")),
                Column("industry", False, ("industria", "rubro", "sector")),
                Column("size", False, ("tamano", "size_band")),
                Column("language", False, ("idioma",)),
                Column("currency", False, ("moneda",)),
                Column("status", False, ("estado",)),
                Column("portfolio", False, ("cartera",)),
                Column("owner_email", False, ("email_responsable", "correo_responsable", "responsable")),
                Column("strategic_fit", False, ("ajuste_estrategico",)),
            ),
            gettext_lazy("country + tax_id"),
        ),
        Kind(
            "contacts",
            gettext_lazy("Contacts"),
            (
                _ACCOUNT_REF[0],
                Column("first_name", True, ("nombre", "nombres")),
                Column("last_name", True, ("apellido", "apellidos")),
                _ACCOUNT_REF[1],
                Column("email", False, ("correo", "correo_electronico")),
                Column("phone", False, ("telefono", "fono", "celular")),
                Column("buying_role", False, ("rol_compra", "rol")),
                Column("language", False, ("idioma",)),
            ),
            gettext_lazy("account + email, else account + name"),
        ),
        Kind(
            "products",
            gettext_lazy("Products"),
            (
                Column("sku", True, ("codigo", "codigo_producto")),
                Column("name", True, ("nombre", "descripcion")),
                Column("product_line", True, ("linea", "linea_producto", "linea_de_producto")),
                Column("list_price", True, ("precio_lista", "precio_de_lista")),
                Column("unit_cost", True, ("costo_unitario", "costo")),
            ),
            gettext_lazy("sku"),
        ),
        Kind(
            "orders",
            gettext_lazy("Orders (one row per line)"),
            (
                Column("order_number", True, ("numero_pedido", "pedido", "nro_pedido", "n_pedido", "numero")),
                _ACCOUNT_REF[0],
                Column("order_date", True, ("fecha_pedido", "fecha", "date")),
                Column("sku", True, ("codigo", "codigo_producto")),
                Column("quantity", True, ("cantidad",)),
                Column("unit_price", True, ("precio_unitario", "precio")),
                _ACCOUNT_REF[1],
                Column("unit_cost", False, ("costo_unitario", "costo")),
                Column("discount_pct", False, ("descuento", "descuento_pct", "porcentaje_descuento")),
                Column("channel", False, ("canal",)),
                Column("purchase_type", False, ("tipo_compra", "tipo_de_compra")),
            ),
            gettext_lazy("order_number + sku"),
            touches_insights=True,
        ),
        Kind(
            "service-costs",
            gettext_lazy("Service costs"),
            (
                _ACCOUNT_REF[0],
                Column("date", True, ("fecha",)),
                Column("kind", True, ("tipo",)),
                Column("amount", True, ("monto", "importe")),
                _ACCOUNT_REF[1],
                Column("note", False, ("nota",)),
            ),
            gettext_lazy("none (rows are added)"),
            touches_insights=True,
        ),
        Kind(
            "marketing-spend",
            gettext_lazy("Marketing spend"),
            (
                _ACCOUNT_REF[0],
                Column("date", True, ("fecha",)),
                Column("campaign", True, ("campana",)),
                Column("amount", True, ("monto", "importe")),
                _ACCOUNT_REF[1],
            ),
            gettext_lazy("none (rows are added)"),
            touches_insights=True,
        ),
        Kind(
            "interactions",
            gettext_lazy("Interactions"),
            (
                _ACCOUNT_REF[0],
                Column("date", True, ("fecha",)),
                Column("kind", True, ("tipo",)),
                _ACCOUNT_REF[1],
                Column("user_email", False, ("email_usuario", "correo_usuario", "usuario")),
                Column("contact_email", False, ("email_contacto", "correo_contacto", "contacto")),
                Column("summary", False, ("resumen",)),
            ),
            gettext_lazy("none (rows are added)"),
            touches_insights=True,
        ),
        Kind(
            "referrals",
            gettext_lazy("Referrals and testimonials"),
            (
                _ACCOUNT_REF[0],
                Column("date", True, ("fecha",)),
                Column("referred_company", True, ("empresa_referida", "empresa_recomendada", "empresa")),
                Column("kind", True, ("tipo",)),
                _ACCOUNT_REF[1],
            ),
            gettext_lazy("none (rows are added)"),
            touches_insights=True,
        ),
    )
}


def header_key(name: str) -> str:
    """A header as compared with column names: "Razón Social" -> "razon_social"."""
    return "_".join(normalize(name).replace("-", " ").replace(".", " ").replace("%", " pct").split())


@dataclass
class Mapping:
    """Which file column feeds which field, and what is missing, unknown or given twice."""

    positions: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)

    @property
    def is_usable(self) -> bool:
        return not self.missing and not self.repeated

    def rows(self, kind: Kind) -> list[dict[str, object]]:
        """One line per field of the kind, for the preview: the header feeding it, if any."""
        return [
            {
                "field": column.name,
                "required": column.required,
                "header": self.headers.get(column.name, ""),
                "missing": column.name in self.missing,
            }
            for column in kind.columns
        ]


def map_header(kind: Kind, header: list[str]) -> Mapping:
    """Match each header to a column by its name or one of its aliases (case and accents ignored)."""
    names: dict[str, str] = {}
    for column in kind.columns:
        names[column.name] = column.name
    for column in kind.columns:
        for alias in column.aliases:
            names.setdefault(alias, column.name)
    mapping = Mapping()
    for position, title in enumerate(header):
        if not title:
            continue
        column_name = names.get(header_key(title))
        if column_name is None:
            mapping.ignored.append(title)
        elif column_name in mapping.positions:
            mapping.repeated.append(title)
        else:
            mapping.positions[column_name] = position
            mapping.headers[column_name] = title
    mapping.missing = [c.name for c in kind.columns if c.required and c.name not in mapping.positions]
    return mapping


def header_problems(kind: Kind, mapping: Mapping) -> list[tuple[str, str]]:
    """(column, message) for each required column missing and each column given twice."""
    problems = [(name, _("Required column missing from the header.")) for name in mapping.missing]
    problems += [(title, _("This column is given twice.")) for title in mapping.repeated]
    return problems
