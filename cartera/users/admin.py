from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from cartera.core.admin import AuditedAdminMixin
from cartera.users.models import User


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    """Staff users and their roles; creating and editing them is audited (never their password)."""

    list_display = ("username", "email", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("cartera"), {"fields": ("role", "language")}))  # type: ignore[misc]
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("cartera"), {"fields": ("role", "email")}))
