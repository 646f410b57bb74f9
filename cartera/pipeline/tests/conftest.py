"""The API tests' client fixture, for the opportunities endpoints tested here."""

from cartera.api.tests.conftest import api_client  # noqa: F401
