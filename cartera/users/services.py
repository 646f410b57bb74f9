"""Every write to staff users."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from cartera.core.audit import audit_record, snapshot
from cartera.core.models import AuditRecord
from cartera.users.models import Role, User

# Never copied into the audit log.
_SECRET_FIELDS = {"password"}


def user_create(
    *,
    actor: Any,
    username: str,
    role: str = Role.ACCOUNT_EXECUTIVE,
    password: str | None = None,
    hashed_password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "es",
    is_superuser: bool = False,
) -> User:
    """Create a staff user with a role; superusers are also staff, so they can use the admin.

    Pass `password` to have it hashed, or `hashed_password` (from make_password) to create many users
    with one costly hash. With neither, the user cannot log in until a password is set.
    """
    if password is not None and hashed_password is not None:
        raise ValueError("user_create takes password or hashed_password, not both")
    user = User(
        username=username,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        language=language,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    user.password = hashed_password if hashed_password is not None else make_password(password)
    with transaction.atomic():
        user.full_clean()
        user.save(force_insert=True)
        fields = [
            field.attname for field in User._meta.concrete_fields if field.attname not in _SECRET_FIELDS
        ]
        audit_record(
            actor=actor, action=AuditRecord.Action.CREATE, instance=user, changes=snapshot(user, fields)
        )
    return user
