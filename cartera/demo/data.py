"""The fixed facts of the demo company: who works there, what it sells, where its clients are.

The demo company is Suministros Andinos SpA, a Chilean distributor of industrial supplies (personal
protective equipment, cleaning and hygiene, hardware and tools, office products, packaging, lubricants).
Everything here is the company's own vocabulary, so it is written in Spanish.
"""

from __future__ import annotations

from dataclasses import dataclass

from cartera.accounts.models import BuyingRole, Industry
from cartera.users.models import Role

# One password for every demo login; shown by `cartera demo` and in docs/demo.md.
DEMO_PASSWORD = "cartera-demo"
COMPANY_NAME = "Suministros Andinos SpA"
COMPANY_DOMAIN = "suministrosandinos.cl"


@dataclass(frozen=True)
class DemoUser:
    """A demo login: its username, role and the person behind it."""

    username: str
    role: str
    first_name: str
    last_name: str
    is_superuser: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", Role.ADMINISTRATOR, "Carolina", "Fuentes", is_superuser=True),
    DemoUser("mgonzalez", Role.SALES_MANAGER, "Marcela", "González"),
    DemoUser("pmorales", Role.ACCOUNT_EXECUTIVE, "Pablo", "Morales"),
    DemoUser("jperez", Role.ACCOUNT_EXECUTIVE, "Juan", "Pérez"),
    DemoUser("cmunoz", Role.ACCOUNT_EXECUTIVE, "Camila", "Muñoz"),
    DemoUser("rsoto", Role.ACCOUNT_EXECUTIVE, "Rodrigo", "Soto"),
    DemoUser("fcontreras", Role.ACCOUNT_EXECUTIVE, "Francisca", "Contreras"),
    DemoUser("vrojas", Role.ACCOUNT_EXECUTIVE, "Valentina", "Rojas"),
    DemoUser("dsilva", Role.ACCOUNT_EXECUTIVE, "Diego", "Silva"),
    DemoUser("aespinoza", Role.SPECIALIST, "Andrea", "Espinoza"),
    DemoUser("lvaldes", Role.SPECIALIST, "Luis", "Valdés"),
    DemoUser("ncastro", Role.SPECIALIST, "Natalia", "Castro"),
    DemoUser("tramirez", Role.SPECIALIST, "Tomás", "Ramírez"),
    DemoUser("iaraya", Role.SUPPORT_AGENT, "Ignacia", "Araya"),
    DemoUser("mtorres", Role.SUPPORT_AGENT, "Matías", "Torres"),
    DemoUser("jvergara", Role.MARKETING_ANALYST, "Josefina", "Vergara"),
)

# The product lines each specialist covers. Office products have no specialist: a coverage gap.
SPECIALIST_LINES: dict[str, tuple[str, ...]] = {
    "aespinoza": ("SEG",),
    "lvaldes": ("LUB", "FER"),
    "ncastro": ("LIM",),
    "tramirez": ("EMB", "FER"),
}
SUPPORT_AGENTS = ("iaraya", "mtorres")
SALES_MANAGER = "mgonzalez"
MARKETING_ANALYST = "jvergara"
KEY_ACCOUNT_EXECUTIVE = "pmorales"


@dataclass(frozen=True)
class DemoTerritory:
    """A territory: its regions, its responsible user and the territory it nests in."""

    name: str
    regions: tuple[str, ...]
    responsible: str
    parent: str | None = None


# Parents come before their children.
DEMO_TERRITORIES: tuple[DemoTerritory, ...] = (
    DemoTerritory("Chile", (), "mgonzalez"),
    DemoTerritory("Norte", (), "jperez", parent="Chile"),
    DemoTerritory("Norte Grande", ("CL-AP", "CL-TA", "CL-AN"), "jperez", parent="Norte"),
    DemoTerritory("Norte Chico", ("CL-AT", "CL-CO"), "jperez", parent="Norte"),
    DemoTerritory("Centro", ("CL-VS", "CL-LI", "CL-ML"), "cmunoz", parent="Chile"),
    DemoTerritory("Metropolitana", ("CL-RM",), "rsoto", parent="Chile"),
    DemoTerritory("Sur", ("CL-NB", "CL-BI", "CL-AR", "CL-LR", "CL-LL"), "vrojas", parent="Chile"),
    DemoTerritory("Austral", ("CL-AI", "CL-MA"), "dsilva", parent="Chile"),
)


@dataclass(frozen=True)
class DemoPortfolio:
    name: str
    owner: str
    description: str


DEMO_PORTFOLIOS: tuple[DemoPortfolio, ...] = (
    DemoPortfolio(
        "Grandes Cuentas", "pmorales", "Los clientes de mayor volumen, atendidos a nivel nacional."
    ),
    DemoPortfolio("Norte Minería", "jperez", "Minería y energía de Arica a Coquimbo."),
    DemoPortfolio("Norte Comercial", "jperez", "Comercio, servicios e industria del norte."),
    DemoPortfolio("Centro", "cmunoz", "Valparaíso, O'Higgins y Maule."),
    DemoPortfolio(
        "Santiago Industrial", "rsoto", "Industria, construcción, transporte y distribución en la RM."
    ),
    DemoPortfolio(
        "Santiago Servicios", "fcontreras", "Comercio, salud, educación, hotelería y servicios en la RM."
    ),
    DemoPortfolio("Biobío y Ñuble", "vrojas", "Clientes de Ñuble y Biobío."),
    DemoPortfolio("Araucanía", "vrojas", "Clientes de La Araucanía."),
    DemoPortfolio("Los Ríos y Los Lagos", "dsilva", "Clientes de Los Ríos y Los Lagos."),
    DemoPortfolio("Austral", "dsilva", "Aysén y Magallanes."),
)


@dataclass(frozen=True)
class DemoRegion:
    """A Chilean region: how much of the client base is there, its cities and its landline area code."""

    code: str
    weight: float
    cities: tuple[str, ...]
    area_code: str
    is_remote: bool = False


DEMO_REGIONS: tuple[DemoRegion, ...] = (
    DemoRegion("CL-AP", 1.0, ("Arica", "Putre"), "58", is_remote=True),
    DemoRegion("CL-TA", 2.0, ("Iquique", "Alto Hospicio", "Pozo Almonte"), "57", is_remote=True),
    DemoRegion("CL-AN", 5.0, ("Antofagasta", "Calama", "Mejillones", "Tocopilla", "Taltal"), "55"),
    DemoRegion("CL-AT", 1.5, ("Copiapó", "Vallenar", "Caldera", "Chañaral"), "52"),
    DemoRegion("CL-CO", 3.0, ("La Serena", "Coquimbo", "Ovalle", "Illapel", "Vicuña"), "51"),
    DemoRegion(
        "CL-VS",
        12.0,
        ("Valparaíso", "Viña del Mar", "Quilpué", "Villa Alemana", "San Antonio", "Los Andes", "Quillota"),
        "32",
    ),
    DemoRegion(
        "CL-RM",
        44.0,
        (
            "Santiago",
            "Providencia",
            "Las Condes",
            "Ñuñoa",
            "Maipú",
            "Puente Alto",
            "Quilicura",
            "Pudahuel",
            "San Bernardo",
            "Huechuraba",
            "Vitacura",
            "La Florida",
            "Renca",
            "Colina",
            "Lampa",
            "Cerrillos",
        ),
        "2",
    ),
    DemoRegion("CL-LI", 3.5, ("Rancagua", "San Fernando", "Machalí", "Rengo", "Santa Cruz"), "72"),
    DemoRegion("CL-ML", 3.5, ("Talca", "Curicó", "Linares", "Constitución", "Cauquenes"), "71"),
    DemoRegion("CL-NB", 2.0, ("Chillán", "Chillán Viejo", "San Carlos", "Bulnes"), "42"),
    DemoRegion(
        "CL-BI",
        10.0,
        ("Concepción", "Talcahuano", "Los Ángeles", "Coronel", "San Pedro de la Paz", "Hualpén"),
        "41",
    ),
    DemoRegion("CL-AR", 3.0, ("Temuco", "Padre Las Casas", "Villarrica", "Angol", "Pucón"), "45"),
    DemoRegion("CL-LR", 1.5, ("Valdivia", "La Unión", "Panguipulli", "Río Bueno"), "63"),
    DemoRegion("CL-LL", 4.0, ("Puerto Montt", "Osorno", "Puerto Varas", "Castro", "Ancud"), "65"),
    DemoRegion("CL-AI", 1.0, ("Coyhaique", "Puerto Aysén", "Chile Chico"), "67", is_remote=True),
    DemoRegion("CL-MA", 1.5, ("Punta Arenas", "Puerto Natales", "Porvenir"), "61", is_remote=True),
)
NORTH_REGIONS = {"CL-AP", "CL-TA", "CL-AN", "CL-AT", "CL-CO"}
CENTRE_REGIONS = {"CL-VS", "CL-LI", "CL-ML"}


@dataclass(frozen=True)
class DemoProductLine:
    """A product line, its typical gross margin and its products as (name, list price in CLP)."""

    code: str
    name: str
    description: str
    margin: float
    products: tuple[tuple[str, int], ...]


DEMO_PRODUCT_LINES: tuple[DemoProductLine, ...] = (
    DemoProductLine(
        "SEG",
        "Seguridad industrial",
        "Elementos de protección personal certificados.",
        0.38,
        (
            ("Guante de nitrilo desechable, caja 100 un.", 7990),
            ("Guante de cabritilla para soldador, par", 3490),
            ("Casco de seguridad con arnés de 4 puntos", 8990),
            ("Lente de seguridad claro antiempañante", 2490),
            ("Zapato de seguridad dieléctrico", 42990),
            ("Bota de goma con puntera de acero", 18990),
            ("Arnés de seguridad de 4 argollas", 64990),
            ("Protector auditivo tipo fono", 9990),
            ("Respirador medio rostro con filtros", 27990),
            ("Chaleco reflectante clase 2", 3990),
            ("Traje de agua PVC", 12990),
            ("Tapón auditivo desechable, caja 200 pares", 29990),
            ("Careta de soldar fotosensible", 45990),
            ("Bloqueador solar FPS 50, 1 litro", 14990),
        ),
    ),
    DemoProductLine(
        "LIM",
        "Limpieza e higiene",
        "Higiene institucional, papeles y químicos de limpieza.",
        0.27,
        (
            ("Papel higiénico jumbo, 4 rollos de 500 m", 15990),
            ("Toalla de papel interfoliada, caja 2.500 hojas", 18990),
            ("Jabón líquido antibacterial, bidón 5 litros", 8990),
            ("Detergente industrial, bidón 5 litros", 7490),
            ("Desinfectante amonio cuaternario, 5 litros", 11990),
            ("Cloro gel, caja 12 un.", 13990),
            ("Bolsa de basura 80x110, paquete 100 un.", 9490),
            ("Dispensador de papel higiénico jumbo", 12990),
            ("Dispensador de jabón 1 litro", 8490),
            ("Paño multiuso, rollo 300 paños", 10990),
            ("Mopa industrial con carro", 59990),
            ("Alcohol gel 70 %, 5 litros", 16990),
            ("Limpiavidrios concentrado, 5 litros", 6990),
        ),
    ),
    DemoProductLine(
        "FER",
        "Ferretería y herramientas",
        "Herramientas eléctricas y manuales, abrasivos y fijaciones.",
        0.32,
        (
            ("Taladro percutor 850 W", 69990),
            ('Esmeril angular 4 1/2" 900 W', 44990),
            ('Disco de corte metal 4 1/2", caja 25 un.', 19990),
            ('Disco flap 4 1/2" grano 60, caja 10 un.', 21990),
            ("Juego de brocas HSS 19 piezas", 12990),
            ('Llave ajustable 12"', 11990),
            ('Juego de dados 1/2" 24 piezas', 34990),
            ("Huincha de medir 8 m", 6990),
            ('Pernos hexagonales 3/8", caja 100 un.', 15990),
            ('Electrodo 6011 1/8", caja 5 kg', 22990),
            ("Atornillador inalámbrico 20 V", 89990),
            ("Escalera tijera aluminio 6 peldaños", 79990),
            ("Candado de bloqueo LOTO", 9990),
            ("Amarras plásticas 300 mm, bolsa 100 un.", 3490),
        ),
    ),
    DemoProductLine(
        "OFI",
        "Artículos de oficina",
        "Papelería, consumibles de impresión y mobiliario menor.",
        0.14,
        (
            ("Resma papel carta 75 g, caja 10 resmas", 32990),
            ("Tóner láser negro alto rendimiento", 64990),
            ("Archivador palanca oficio, caja 12 un.", 17990),
            ("Carpeta colgante, caja 50 un.", 12490),
            ("Lápiz pasta azul, caja 50 un.", 8990),
            ("Cuaderno universitario 100 hojas, paquete 10 un.", 14990),
            ("Corchetera industrial", 24990),
            ("Sobre americano, caja 500 un.", 11990),
            ("Silla ergonómica de oficina", 129990),
            ("Pizarra blanca 120x90 cm", 39990),
            ("Notas adhesivas, paquete 12 blocks", 6490),
            ("Cinta de embalaje transparente, paquete 6 un.", 5990),
            ("Calculadora de escritorio 12 dígitos", 9990),
        ),
    ),
    DemoProductLine(
        "EMB",
        "Embalaje",
        "Film, cajas, cintas y materiales para despacho y bodega.",
        0.22,
        (
            ("Film stretch manual 50 cm, rollo 4 kg", 8490),
            ("Film stretch máquina 50 cm, rollo 16 kg", 32990),
            ("Caja de cartón corrugado 40x30x30, paquete 25 un.", 18990),
            ("Cinta de embalaje café 48 mm, caja 36 un.", 27990),
            ("Zuncho plástico PP 12 mm, rollo", 24990),
            ("Pallet de madera 1,0 x 1,2 m", 9990),
            ("Plástico de burbujas 1 x 100 m", 21990),
            ("Etiqueta térmica 100x150, rollo 500 un.", 11990),
            ("Esquinero de cartón, paquete 100 un.", 15990),
            ("Bolsa para courier con adhesivo, paquete 100 un.", 8990),
            ("Dispensador de cinta de embalaje", 4990),
            ("Saco de polipropileno 50 kg, paquete 100 un.", 19990),
            ("Malla raschel 2,1 x 100 m", 49990),
        ),
    ),
    DemoProductLine(
        "LUB",
        "Lubricantes y mantención",
        "Aceites, grasas, solventes y productos de mantención industrial.",
        0.30,
        (
            ("Aceite hidráulico ISO 68, tambor 208 litros", 489990),
            ("Aceite hidráulico ISO 68, balde 20 litros", 54990),
            ("Aceite motor 15W-40, balde 20 litros", 64990),
            ("Grasa multipropósito EP2, balde 18 kg", 59990),
            ("Desengrasante industrial, bidón 20 litros", 39990),
            ("Lubricante multiuso en aerosol", 4990),
            ("Limpiador de contactos eléctricos", 6990),
            ("Refrigerante de motor, bidón 20 litros", 34990),
            ("Aceite de engranajes 80W-90, balde 20 litros", 69990),
            ("Absorbente de derrames, saco 20 kg", 27990),
            ("Solvente dieléctrico, bidón 20 litros", 79990),
            ("Sellador de roscas anaeróbico", 12990),
            ("Paño absorbente industrial, rollo", 36990),
        ),
    ),
)

# Which product lines each industry tends to buy, most important first.
INDUSTRY_LINES: dict[str, tuple[str, ...]] = {
    Industry.MINING: ("SEG", "LUB", "FER", "LIM", "EMB"),
    Industry.CONSTRUCTION: ("SEG", "FER", "LIM", "OFI"),
    Industry.MANUFACTURING: ("SEG", "EMB", "LUB", "FER", "LIM"),
    Industry.AGRICULTURE: ("EMB", "SEG", "LIM", "LUB"),
    Industry.RETAIL: ("LIM", "EMB", "OFI"),
    Industry.WHOLESALE: ("EMB", "LIM", "SEG", "OFI"),
    Industry.HEALTH: ("LIM", "OFI", "SEG"),
    Industry.EDUCATION: ("OFI", "LIM"),
    Industry.HOSPITALITY: ("LIM", "EMB", "OFI"),
    Industry.TRANSPORT: ("LUB", "SEG", "EMB", "FER"),
    Industry.ENERGY: ("SEG", "LUB", "FER", "LIM"),
    Industry.TECHNOLOGY: ("OFI", "LIM"),
    Industry.FINANCE: ("OFI", "LIM"),
    Industry.PUBLIC: ("OFI", "LIM", "SEG"),
    Industry.SERVICES: ("OFI", "LIM", "SEG"),
}

# How common each industry is among the clients of an industrial distributor.
INDUSTRY_WEIGHTS: dict[str, float] = {
    Industry.MINING: 7,
    Industry.CONSTRUCTION: 14,
    Industry.MANUFACTURING: 15,
    Industry.AGRICULTURE: 9,
    Industry.RETAIL: 9,
    Industry.WHOLESALE: 8,
    Industry.HEALTH: 6,
    Industry.EDUCATION: 5,
    Industry.HOSPITALITY: 7,
    Industry.TRANSPORT: 8,
    Industry.ENERGY: 3,
    Industry.TECHNOLOGY: 3,
    Industry.FINANCE: 2,
    Industry.PUBLIC: 1,
    Industry.SERVICES: 3,
}

# How a company of each industry is usually named in Chile.
INDUSTRY_NAME_PREFIXES: dict[str, tuple[str, ...]] = {
    Industry.MINING: ("Minera", "Servicios Mineros", "Sociedad Contractual Minera", "Ingeniería y Montajes"),
    Industry.CONSTRUCTION: (
        "Constructora",
        "Inmobiliaria y Constructora",
        "Ingeniería y Construcción",
        "Obras Civiles",
    ),
    Industry.MANUFACTURING: ("Industrial", "Metalúrgica", "Maestranza", "Plásticos", "Alimentos", "Envases"),
    Industry.AGRICULTURE: ("Agrícola", "Frutícola", "Exportadora", "Viña", "Agroindustrial", "Lechera"),
    Industry.RETAIL: ("Comercial", "Supermercados", "Ferretería", "Tiendas"),
    Industry.WHOLESALE: ("Distribuidora", "Comercializadora", "Importadora", "Mayorista"),
    Industry.HEALTH: ("Clínica", "Centro Médico", "Laboratorio", "Servicios de Salud"),
    Industry.EDUCATION: ("Sociedad Educacional", "Colegio", "Instituto", "Centro de Formación Técnica"),
    Industry.HOSPITALITY: ("Hotelera", "Restaurantes", "Banquetería", "Casino y Alimentación"),
    Industry.TRANSPORT: ("Transportes", "Logística", "Servicios Portuarios", "Buses"),
    Industry.ENERGY: ("Eléctrica", "Energía", "Generadora", "Sanitaria"),
    Industry.TECHNOLOGY: ("Tecnologías", "Soluciones Informáticas", "Telecomunicaciones"),
    Industry.FINANCE: ("Inversiones", "Servicios Financieros", "Corredora de Seguros"),
    Industry.PUBLIC: ("Corporación", "Servicios Públicos"),
    Industry.SERVICES: ("Servicios", "Consultora", "Aseo Industrial", "Seguridad y Vigilancia"),
}

# Place-like words Chilean companies are named after.
NAME_PLACES = (
    "Los Andes",
    "del Pacífico",
    "Austral",
    "Cordillera",
    "San Pedro",
    "El Roble",
    "Santa Elena",
    "Los Aromos",
    "Bellavista",
    "Las Encinas",
    "del Sur",
    "del Norte",
    "Altamira",
    "La Portada",
    "Tamarugal",
    "Llanquihue",
    "Nahuelbuta",
    "Atacama",
    "Los Lagos",
    "Santa Rosa",
    "El Bosque",
    "Las Palmas",
    "Valle Central",
    "Pehuén",
    "Quillay",
    "Canelo",
    "Maitén",
    "Copihue",
    "Lircay",
    "Biobío",
)
# Legal-form suffixes with their frequency.
LEGAL_SUFFIXES: tuple[tuple[str, float], ...] = (("SpA", 0.42), ("Ltda.", 0.3), ("S.A.", 0.2), ("EIRL", 0.08))
SUBSIDIARY_PREFIXES = ("Servicios", "Comercial", "Inmobiliaria", "Logística", "Ingeniería", "Transportes")

# Written in the masculine; feminine() gives the form for a woman.
JOB_TITLES: dict[str, tuple[str, ...]] = {
    BuyingRole.DECISION_MAKER: ("Gerente General", "Gerente de Operaciones", "Gerente de Planta", "Director"),
    BuyingRole.ECONOMIC_BUYER: (
        "Gerente de Administración y Finanzas",
        "Jefe de Administración",
        "Contralor",
        "Subgerente de Finanzas",
    ),
    BuyingRole.TECHNICAL_EVALUATOR: (
        "Jefe de Mantención",
        "Prevencionista de Riesgos",
        "Jefe de Calidad",
        "Ingeniero de Procesos",
    ),
    BuyingRole.INFLUENCER: (
        "Supervisor de Turno",
        "Jefe de Bodega",
        "Jefe de Terreno",
        "Jefe de Servicios Generales",
    ),
    BuyingRole.USER: (
        "Encargado de Aseo",
        "Operador de Bodega",
        "Asistente Administrativo",
        "Técnico de Mantención",
    ),
    BuyingRole.PURCHASER: (
        "Jefe de Compras",
        "Encargado de Adquisiciones",
        "Comprador",
        "Analista de Abastecimiento",
    ),
    BuyingRole.GATEKEEPER: ("Secretario de Gerencia", "Recepcionista", "Asistente de Gerencia"),
}
_FEMININE_WORDS = {
    "Director": "Directora",
    "Jefe": "Jefa",
    "Contralor": "Contralora",
    "Ingeniero": "Ingeniera",
    "Supervisor": "Supervisora",
    "Encargado": "Encargada",
    "Operador": "Operadora",
    "Administrativo": "Administrativa",
    "Técnico": "Técnica",
    "Comprador": "Compradora",
    "Secretario": "Secretaria",
}


def feminine(title: str) -> str:
    """A job title as written for a woman: "Jefe de Compras" -> "Jefa de Compras"."""
    return " ".join(_FEMININE_WORDS.get(word, word) for word in title.split(" "))


# Every account has a purchaser first, then the rest of the buying center in this order of likelihood.
BUYING_ROLE_WEIGHTS: tuple[tuple[str, float], ...] = (
    (BuyingRole.DECISION_MAKER, 0.22),
    (BuyingRole.ECONOMIC_BUYER, 0.14),
    (BuyingRole.TECHNICAL_EVALUATOR, 0.18),
    (BuyingRole.INFLUENCER, 0.14),
    (BuyingRole.USER, 0.16),
    (BuyingRole.PURCHASER, 0.08),
    (BuyingRole.GATEKEEPER, 0.08),
)

STRATEGIC_FIT_NOTES: dict[int, tuple[str, ...]] = {
    5: (
        "Cliente ideal: compra recurrente de varias líneas y paga a 30 días.",
        "Alto potencial de crecimiento en EPP y lubricantes.",
        "Referente de su industria; abre puertas a otras empresas.",
    ),
    4: (
        "Buen volumen y relación estable con el área de compras.",
        "Interesado en integrar pedidos por el portal.",
    ),
    3: ("Compra por precio; fidelidad media.", "Potencial por desarrollar en nuevas líneas."),
    2: ("Exige condiciones especiales de despacho.", "Paga con atraso frecuente."),
    1: ("Margen muy bajo y alto costo de atención.", "Compra solo en licitaciones."),
}

MARKETING_CAMPAIGNS: tuple[str, ...] = (
    "Feria Expomin {year}",
    "Campaña EPP Invierno {year}",
    "Webinar Seguridad Minera {year}",
    "Catálogo Digital {year}",
    "Desayuno de Clientes Concepción {year}",
    "Cyber Industrial {year}",
    "Feria Edifica {year}",
    "Ruta de Demostraciones Lubricantes {year}",
    "Campaña Higiene Institucional {year}",
    "Muestras Gratuitas Embalaje {year}",
    "Encuentro de Compradores Santiago {year}",
    "Patrocinio Semana de la Seguridad {year}",
)

INTERACTION_SUMMARIES: dict[str, tuple[str, ...]] = {
    "visit": (
        "Visita a faena para revisar consumo de EPP.",
        "Visita comercial: presentación de nuevas líneas.",
        "Recorrido por bodega para levantar necesidades de embalaje.",
        "Visita técnica para evaluar lubricantes en equipos.",
        "Reunión en planta con el jefe de mantención.",
    ),
    "call": (
        "Llamada de seguimiento del último pedido.",
        "Llamada para confirmar fecha de despacho.",
        "Consulta por precios del próximo trimestre.",
        "Llamada para ofrecer reposición de stock.",
    ),
    "meeting": (
        "Reunión de revisión anual de precios y condiciones.",
        "Reunión con gerencia para plan de compras del año.",
        "Presentación de propuesta de contrato marco.",
        "Reunión de cierre de año con el área de compras.",
    ),
    "email": (
        "Envío de cotización solicitada.",
        "Envío de fichas técnicas y certificados.",
        "Correo con el catálogo actualizado.",
        "Respuesta a consulta por factura.",
    ),
    "event": (
        "Asistió al desayuno de clientes.",
        "Visitó nuestro stand en la feria.",
        "Participó en el webinar de seguridad.",
    ),
    "support": (
        "Soporte por pedido incompleto.",
        "Ayuda con el acceso al portal de clientes.",
        "Gestión de cambio de producto defectuoso.",
        "Corrección de dirección de despacho.",
    ),
}

COMMITMENT_DESCRIPTIONS: tuple[str, ...] = (
    "Enviar cotización de {product}",
    "Coordinar visita técnica en terreno",
    "Despachar pedido pendiente antes del viernes",
    "Entregar muestras de {product}",
    "Enviar certificados de calidad de {product}",
    "Revisar condiciones de pago del contrato",
    "Capacitar al personal en el uso del portal",
    "Reponer producto con falla",
    "Emitir nota de crédito por diferencia de precio",
    "Presentar propuesta de contrato anual",
)

COMPLAINTS: tuple[tuple[str, str, str], ...] = (
    ("Despacho", "Camión con sobrecupo en la ruta", "Se agregó un segundo despacho semanal a la zona"),
    ("Despacho", "Dirección de entrega mal registrada", "Se validan las direcciones al ingresar el pedido"),
    (
        "Facturación",
        "Precio de lista no actualizado en el ERP",
        "Se sincronizan las listas de precios cada semana",
    ),
    ("Facturación", "Factura emitida sin orden de compra", "Se exige la OC antes de facturar"),
    ("Calidad de producto", "Lote defectuoso del proveedor", "Se cambió el lote y se reclamó al proveedor"),
    ("Calidad de producto", "Talla equivocada en el despacho", "Se agregó control de picking por talla"),
    (
        "Atención comercial",
        "Ejecutivo sin cobertura durante vacaciones",
        "Se definió un ejecutivo de respaldo",
    ),
    ("Precio", "Alza de precio sin aviso previo", "Se avisará con 30 días de anticipación"),
    ("Portal web", "Error al repetir un pedido antiguo", "Se corrigió el catálogo del portal"),
    ("Stock", "Quiebre de stock en producto de alta rotación", "Se aumentó el stock de seguridad"),
)
SUGGESTIONS: tuple[str, ...] = (
    "Sería útil recibir un aviso cuando el pedido sale de bodega.",
    "Proponen agregar tallas especiales de zapatos de seguridad.",
    "Piden un informe trimestral de consumo por centro de costo.",
    "Sugieren poder pagar con transferencia desde el portal.",
    "Solicitan despachos los sábados en temporada alta.",
)
PRAISE: tuple[str, ...] = (
    "Destacan la rapidez del despacho.",
    "Felicitan al ejecutivo por su buena disposición.",
    "Muy conformes con la capacitación en seguridad.",
    "Valoran la calidad de los productos de limpieza.",
)
TESTIMONIAL_NOTES: tuple[str, ...] = (
    "Testimonio para el caso de éxito del sitio web.",
    "Video testimonial grabado en la feria.",
    "Cita para el catálogo anual.",
    "Participó como cliente referente en una licitación.",
)
REFERRAL_NOTES: tuple[str, ...] = (
    "Nos recomendó a una empresa de su grupo.",
    "Recomendó nuestro servicio a un proveedor suyo.",
    "Nos presentó al gerente de compras de otra empresa.",
)
