"""The shared browser fixtures: a page in headless Chromium and signing in through the login form."""

from __future__ import annotations

import urllib.request

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection

from cartera.core.testing_browser import OneRequestAtATimeServer, log_in
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


def test_on_a_database_in_memory_the_live_server_answers_one_request_at_a_time(live_server):
    # Its threads would share the one SQLite connection, and two requests at once can deadlock inside
    # the sqlite3 module; on a database every thread connects to itself, it stays threaded.
    shared = connection.vendor == "sqlite" and connection.is_in_memory_db()
    assert isinstance(live_server.thread.httpd, OneRequestAtATimeServer) is shared
    assert isinstance(live_server.thread.httpd, ThreadedWSGIServer) is not shared

    # One at a time, it closes each connection after its response: an idle keep-alive connection
    # would otherwise hold up the next request.
    with urllib.request.urlopen(f"{live_server.url}/login/", timeout=10) as response:
        assert response.status == 200
        assert (response.headers["Connection"] == "close") is shared
