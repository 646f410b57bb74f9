"""Fixtures every test can use: one user per role, and a small world where each role has an account it
may see and one it may not."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cartera.accounts.models import Account
from cartera.accounts.tests.factories import AccountFactory, ContactFactory
from cartera.coverage.tests.factories import AccountTeamMemberFactory, PortfolioFactory
from cartera.users.models import Role, User
from cartera.users.tests.factories import UserFactory

# Browser-test fixtures (browser_page, new_browser_page) for every app's tests.
pytest_plugins = ["cartera.core.testing_browser"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashers are deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    # Background tasks run at enqueue time (after commit), so a test sees their effects directly.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def make_user(db):
    def make(role: str = Role.ACCOUNT_EXECUTIVE, **kwargs) -> User:
        return UserFactory(role=role, **kwargs)

    return make


@dataclass
class World:
    """Users in every role and accounts placed so that each role sees a known subset."""

    administrator: User
    manager: User
    executive: User
    other_executive: User
    specialist: User
    support: User
    analyst: User
    in_portfolio: Account  # in the executive's portfolio
    on_team: Account  # the executive and the specialist are on its team, not in a portfolio of theirs
    elsewhere: Account  # another executive's portfolio: hidden from executive and specialist

    def user(self, role: str) -> User:
        return {
            Role.ADMINISTRATOR: self.administrator,
            Role.SALES_MANAGER: self.manager,
            Role.ACCOUNT_EXECUTIVE: self.executive,
            Role.SPECIALIST: self.specialist,
            Role.SUPPORT_AGENT: self.support,
            Role.MARKETING_ANALYST: self.analyst,
        }[role]


@pytest.fixture
def world(db) -> World:
    executive = UserFactory(username="ejecutiva", role=Role.ACCOUNT_EXECUTIVE)
    other = UserFactory(username="otro", role=Role.ACCOUNT_EXECUTIVE)
    specialist = UserFactory(username="especialista", role=Role.SPECIALIST)
    mine = PortfolioFactory(name="Cartera Ejecutiva", owner=executive)
    theirs = PortfolioFactory(name="Cartera Otro", owner=other)
    in_portfolio = AccountFactory(legal_name="Ferretería Muñoz Limitada", portfolio=mine)
    on_team = AccountFactory(legal_name="Constructora Los Álamos S.A.", portfolio=theirs)
    elsewhere = AccountFactory(legal_name="Minera Tamarugal SpA", portfolio=theirs)
    AccountTeamMemberFactory(account=in_portfolio, user=executive)
    AccountTeamMemberFactory(account=on_team, user=other)
    AccountTeamMemberFactory(account=on_team, user=executive, role="sponsor")
    AccountTeamMemberFactory(account=on_team, user=specialist, role="specialist")
    AccountTeamMemberFactory(account=elsewhere, user=other)
    for account in (in_portfolio, on_team, elsewhere):
        ContactFactory(account=account, last_name=f"Contacto de {account.legal_name.split()[0]}")
    return World(
        administrator=UserFactory(username="admin", role=Role.ADMINISTRATOR),
        manager=UserFactory(username="gerente", role=Role.SALES_MANAGER),
        executive=executive,
        other_executive=other,
        specialist=specialist,
        support=UserFactory(username="soporte", role=Role.SUPPORT_AGENT),
        analyst=UserFactory(username="analista", role=Role.MARKETING_ANALYST),
        in_portfolio=in_portfolio,
        on_team=on_team,
        elsewhere=elsewhere,
    )
