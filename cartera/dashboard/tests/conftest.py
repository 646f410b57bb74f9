import pytest

from cartera.dashboard.tests.builders import build_dashboard_world


@pytest.fixture
def company(world):
    return build_dashboard_world(world)
