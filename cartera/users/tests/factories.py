import factory

from cartera.users.models import Role, User


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="es_CL")
    last_name = factory.Faker("last_name", locale="es_CL")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.ACCOUNT_EXECUTIVE
    password = factory.django.Password("cartera-test")
