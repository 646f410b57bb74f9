"""The shared browser fixtures: a page in headless Chromium and signing in through the login form."""

from __future__ import annotations

import pytest

from cartera.core.testing_browser import log_in
from cartera.users.tests.factories import UserFactory


@pytest.fixture
def person(transactional_db):
    return UserFactory(username="navegante")


@pytest.mark.browser
def test_log_in_signs_in_and_a_wrong_password_is_reported(person, live_server, new_browser_page):
    # Given two separate browser sessions
    first, second = new_browser_page(), new_browser_page(width=820)

    # When one signs in with the right password, the other with a wrong one
    log_in(first, live_server.url, "navegante")
    with pytest.raises(AssertionError, match="Could not sign in as 'navegante'"):
        log_in(second, live_server.url, "navegante", password="wrong")

    # Then only the first is signed in, and the second kept its own viewport
    assert first.get_by_test_id("current-user").count() == 1
    assert second.get_by_test_id("current-user").count() == 0
    assert second.viewport_size == {"width": 820, "height": 900}
