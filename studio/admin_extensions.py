"""Admin pages that apps higher in the layers extend, without re-registering them.

The team and user admins belong to apps low in the layers (``teams``,
``accounts``). An app above them (``usage``) adds its inlines, list columns and
the way its inlines are saved by calling ``extend()`` on the admin class from
its own ``admin.py``, which Django's admin autodiscovery imports. The lower app
never imports the upper one, and the registered admin is never swapped at run
time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from django.contrib.admin.options import InlineModelAdmin
from django.db.models import Model
from django.forms import BaseModelFormSet
from django.http import HttpRequest


@dataclass(frozen=True)
class AdminExtension:
    """What another app adds to an admin page.

    ``inlines`` show once the object exists (they name related rows);
    ``columns`` are ``list_display`` callables taking the object;
    ``save_formset(request, obj, formset)`` saves the formsets of those inlines
    (through the app's services, so its rules and audit log apply).
    """

    inlines: tuple[type[InlineModelAdmin], ...] = ()
    columns: tuple[Callable[[Model], object], ...] = ()
    save_formset: Callable[[HttpRequest, Model, BaseModelFormSet], None] | None = None


class ExtensibleAdminMixin:
    """Mixed into a ``ModelAdmin`` (first) so that other apps can ``extend()`` it."""

    extensions: ClassVar[tuple[AdminExtension, ...]] = ()

    @classmethod
    def extend(cls, extension: AdminExtension) -> None:
        if extension not in cls.extensions:
            cls.extensions = (*cls.extensions, extension)

    def get_inlines(self, request: HttpRequest, obj):
        inlines = list(super().get_inlines(request, obj))
        if obj is not None:
            for extension in self.extensions:
                inlines += extension.inlines
        return inlines

    def get_list_display(self, request: HttpRequest):
        columns = [column for extension in self.extensions for column in extension.columns]
        return [*super().get_list_display(request), *columns]

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        for extension in self.extensions:
            owned = {inline.model for inline in extension.inlines}
            if extension.save_formset is not None and formset.model in owned:
                extension.save_formset(request, form.instance, formset)
                return
        super().save_formset(request, form, formset, change)
