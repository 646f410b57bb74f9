"""Staff users of cartera and the role that decides what they see and may change."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    ACCOUNT_EXECUTIVE = "account_executive", _("Account executive")
    SPECIALIST = "specialist", _("Product specialist")
    SUPPORT_AGENT = "support_agent", _("Support agent")
    MARKETING_ANALYST = "marketing_analyst", _("Marketing analyst")


# Roles that see every account; the others see a subset (see visibility in cartera.core.visibility).
ROLES_SEEING_ALL = {Role.ADMINISTRATOR, Role.SALES_MANAGER, Role.MARKETING_ANALYST, Role.SUPPORT_AGENT}
# Roles that may change accounts they can see.
ROLES_EDITING = {Role.ADMINISTRATOR, Role.SALES_MANAGER, Role.ACCOUNT_EXECUTIVE, Role.SPECIALIST}


class User(AbstractUser):
    """A person who works in cartera, with one role."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.ACCOUNT_EXECUTIVE)
    language = models.CharField(
        _("language"), max_length=8, choices=[("es", _("Spanish")), ("en", _("English"))], default="es"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def sees_all_accounts(self) -> bool:
        return self.is_superuser or self.role in ROLES_SEEING_ALL

    @property
    def manages_everything(self) -> bool:
        return self.is_superuser or self.role in {Role.ADMINISTRATOR, Role.SALES_MANAGER}

    @property
    def is_read_only(self) -> bool:
        return not self.is_superuser and self.role not in ROLES_EDITING
