"""Personal API tokens: stored hashed, shown once, refused once revoked, managed from /api/tokens/."""

from __future__ import annotations

import hashlib

from django.test import Client

from cartera.api.models import ApiToken
from cartera.api.services import api_token_create, api_token_revoke
from cartera.users.models import Role


def test_a_token_is_stored_as_its_sha256_only(world):
    token, key = api_token_create(actor=world.executive, name="ERP")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored["key_digest"] == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith("crt_")
    assert stored["prefix"] == key[:12]
    assert [value for value in stored.values() if value == key] == []


def test_a_token_authenticates_as_its_user(world):
    _token, key = api_token_create(actor=world.specialist, name="ERP")
    response = Client().get("/api/v1/accounts", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [world.on_team.pk]
    assert ApiToken.objects.get().last_used_at is not None


def test_a_revoked_token_is_refused(world):
    token, key = api_token_create(actor=world.executive, name="ERP")
    api_token_revoke(actor=world.executive, token=token)
    response = Client().get("/api/v1/accounts", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_a_token_of_a_deactivated_user_is_refused(world):
    _token, key = api_token_create(actor=world.executive, name="ERP")
    world.executive.is_active = False
    world.executive.save()
    assert Client().get("/api/v1/accounts", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_a_made_up_token_is_refused(world):
    response = Client().get("/api/v1/accounts", headers={"Authorization": "Bearer crt_made-up"})
    assert response.status_code == 401


def test_the_tokens_page_shows_a_new_key_once_and_revokes(world):
    client = Client()
    client.force_login(world.user(Role.ACCOUNT_EXECUTIVE))
    created = client.post("/api/tokens/", {"name": "Planilla de ventas"})
    token = ApiToken.objects.get()
    key = created.context["new_key"]
    assert created.status_code == 200
    assert key.encode() in created.content
    assert token.key_digest == hashlib.sha256(key.encode()).hexdigest()
    assert created["Cache-Control"] == "no-store"
    listed = client.get("/api/tokens/")
    assert key.encode() not in listed.content
    assert token.prefix.encode() in listed.content
    revoked = client.post(f"/api/tokens/{token.pk}/revoke/")
    assert revoked.status_code == 302
    assert ApiToken.objects.get().revoked_at is not None
    assert Client().get("/api/v1/accounts", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_nobody_revokes_someone_elses_token_from_the_page(world):
    token, _key = api_token_create(actor=world.executive, name="ERP")
    client = Client()
    client.force_login(world.specialist)
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get().revoked_at is None
