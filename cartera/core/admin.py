"""The Django admin is one more write interface: its saves and deletes go through the audited,
optimistic-locked write functions of cartera.core.services, and the audit log itself is read-only."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cartera.core.errors import ConflictError
from cartera.core.models import AuditRecord
from cartera.core.services import is_versioned, model_create, model_delete, model_update


class VersionedAdminForm(forms.ModelForm):
    """Carries, in a hidden field, the version the record had when the form was opened; saving over a
    newer version is refused with the conflict message instead of overwriting someone else's save."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and is_versioned(self.instance):
            self.fields["expected_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The instance was read when the form was posted: if its version moved on since the form was
        # opened, someone else saved in between. model_update checks again, atomically, when saving.
        if self.instance.pk is not None and is_versioned(self.instance):
            current = self.instance.version
            if cleaned.get("expected_version") != current:
                raise ConflictError(current_version=current)
        return cleaned


def changed_values(instance: models.Model, form: forms.ModelForm) -> dict[str, Any]:
    """The model fields the form changed, with the values the form put on the instance."""
    names = {field.name for field in instance._meta.concrete_fields}
    return {name: getattr(instance, name) for name in form.changed_data if name in names}


def loaded_version(form: forms.Form) -> int | None:
    return form.cleaned_data.get("expected_version") if "expected_version" in form.fields else None


class AuditedAdminMixin:
    """Saves and deletes, of the edited object and of its inlines, through model_create, model_update
    (with the version the form was opened at) and model_delete, so every admin write is validated,
    version-checked and audited like a service's. A ModelAdmin overrides the hooks (create_object,
    update_object, delete_object and their *_related twins for inline rows) to route a model through
    its domain service instead, and after_write for side effects."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            if change:
                self.update_object(request, obj, form)
            else:
                self.create_object(request, obj, form)
            self.after_write(request, obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self.after_write(request, obj)
            self.delete_object(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # One audited delete per row, not a bulk DELETE that would leave no trace.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        formset.save(commit=False)  # fills new_objects, changed_objects and deleted_objects
        form_of = {id(inline_form.instance): inline_form for inline_form in formset.forms}
        with transaction.atomic():
            # New rows first, so that a replacement exists before the row it replaces is deleted.
            for obj in formset.new_objects:
                self.create_related(request, obj, form_of[id(obj)])
            for obj, _changed in formset.changed_objects:
                self.update_related(request, obj, form_of[id(obj)])
            for obj in formset.deleted_objects:
                if obj.pk is not None:
                    self.delete_related(request, obj)
            formset.save_m2m()

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The form has already refused what it could; this catches what only the save can see (another
        # editor saving between the form's check and ours), after the whole save was rolled back.
        try:
            return super().changeform_view(request, *args, **kwargs)  # type: ignore[misc]
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(request.get_full_path())

    # --- hooks -----------------------------------------------------------------------------------

    def create_object(self, request: HttpRequest, obj: Any, form: Any) -> None:
        audited_create(request, obj)

    def update_object(self, request: HttpRequest, obj: Any, form: Any) -> None:
        audited_update(request, obj, form)

    def delete_object(self, request: HttpRequest, obj: Any) -> None:
        model_delete(actor=request.user, instance=obj)

    def create_related(self, request: HttpRequest, obj: Any, form: Any) -> None:
        audited_create(request, obj)

    def update_related(self, request: HttpRequest, obj: Any, form: Any) -> None:
        audited_update(request, obj, form)

    def delete_related(self, request: HttpRequest, obj: Any) -> None:
        model_delete(actor=request.user, instance=obj)

    def after_write(self, request: HttpRequest, obj: Any) -> None:
        """Called inside the save's transaction; for work to queue after commit."""


def audited_create(request: HttpRequest, obj: models.Model) -> None:
    if any(field.name == "created_by" for field in obj._meta.concrete_fields) and not obj.created_by_id:  # type: ignore[attr-defined]
        obj.created_by = request.user  # type: ignore[attr-defined]
    model_create(actor=request.user, instance=obj)


def audited_update(request: HttpRequest, obj: models.Model, form: Any, **extra: Any) -> None:
    data = {**changed_values(obj, form), **extra}
    if data:
        model_update(actor=request.user, instance=obj, data=data, expected_version=loaded_version(form))


class AuditedModelAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """A ModelAdmin whose writes are audited and version-checked."""

    form = VersionedAdminForm


class AuditedTabularInline(admin.TabularInline):
    """An inline whose rows carry their version; the parent's AuditedAdminMixin saves them."""

    form = VersionedAdminForm
    extra = 0


class AuditedStackedInline(admin.StackedInline):
    form = VersionedAdminForm
    extra = 0


class ReadOnlyAdminMixin:
    """Rows that are history or derived: listed and shown, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who changed what, when: the audit log, read-only."""

    list_display = ("created_at", "actor", "action", "object_type", "object_repr", "object_id")
    list_filter = ("action", "object_type", "created_at")
    search_fields = ("object_repr", "object_id", "object_type", "actor__username")
    list_select_related = ("actor",)
    date_hierarchy = "created_at"
    fields = ("created_at", "actor", "action", "object_type", "object_id", "object_repr", "changes_shown")
    readonly_fields = fields

    @admin.display(description=_("changes"))
    def changes_shown(self, obj: AuditRecord) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.changes, ensure_ascii=False, indent=2))
