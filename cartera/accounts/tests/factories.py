import factory

from cartera.accounts.models import Account, BuyingRole, Contact
from cartera.core.testing import make_rut
from cartera.core.text import normalize, normalize_company_name


class AccountFactory(factory.django.DjangoModelFactory[Account]):
    """An account as the services would store it (tax id compact, search keys filled)."""

    class Meta:
        model = Account

    legal_name = factory.Sequence(lambda n: f"Comercial Andes {n} SpA")
    trade_name = ""
    country = "CL"
    tax_id = factory.Sequence(lambda n: make_rut(76_000_000 + n))
    region = "CL-RM"
    city = "Santiago"
    status = "client"
    currency = "CLP"
    search_key = factory.LazyAttribute(
        lambda a: " | ".join(
            p for p in (normalize(a.legal_name), normalize(a.trade_name), a.tax_id.lower()) if p
        )
    )
    name_key = factory.LazyAttribute(lambda a: normalize_company_name(a.legal_name))


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    first_name = factory.Faker("first_name", locale="es_CL")
    last_name = factory.Faker("last_name", locale="es_CL")
    buying_role = BuyingRole.DECISION_MAKER
    email = factory.Sequence(lambda n: f"contacto{n}@cliente.cl")
    search_key = factory.LazyAttribute(lambda c: f"{normalize(c.first_name + ' ' + c.last_name)} | {c.email}")
