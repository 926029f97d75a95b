"""factory_boy factories for test data; personas in conftest.py are built from these."""

import factory
from django.contrib.auth import get_user_model

from strategy.roles import Role
from strategy.services import role_groups

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted: list[Role] | None, **kwargs):
        if create and extracted:
            groups = role_groups()
            self.groups.add(*(groups[role] for role in extracted))
