import datetime as dt

import factory
from django.utils import timezone

from cartera.relationship.models import Commitment, Feedback, Interaction, Referral


class InteractionFactory(factory.django.DjangoModelFactory[Interaction]):
    class Meta:
        model = Interaction

    account = factory.SubFactory("cartera.accounts.tests.factories.AccountFactory")
    kind = "call"
    occurred_at = factory.LazyFunction(timezone.now)
    occurred_on = factory.LazyAttribute(lambda i: timezone.localdate(i.occurred_at))
    summary = "Llamada de seguimiento"


class CommitmentFactory(factory.django.DjangoModelFactory[Commitment]):
    class Meta:
        model = Commitment

    account = factory.SubFactory("cartera.accounts.tests.factories.AccountFactory")
    description = "Enviar cotización"
    due_date = dt.date(2026, 12, 1)


class ReferralFactory(factory.django.DjangoModelFactory[Referral]):
    class Meta:
        model = Referral

    account = factory.SubFactory("cartera.accounts.tests.factories.AccountFactory")
    date = dt.date(2026, 6, 1)
    kind = "referral"
    referred_company = "Distribuidora Sur Ltda."


class FeedbackFactory(factory.django.DjangoModelFactory[Feedback]):
    class Meta:
        model = Feedback

    account = factory.SubFactory("cartera.accounts.tests.factories.AccountFactory")
    date = dt.date(2026, 6, 1)
    kind = "complaint"
    category = "Despacho"
