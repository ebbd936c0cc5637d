"""Filters that refuse what they do not know (`?stat=open` is a 400, not every row), and the
admin's list filters that take their options from small tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

# Query parameters every list understands besides its filters.
GENERAL = {"page", "format"}

T = TypeVar("T")


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            known = set(filterset_class.base_filters) | GENERAL
            if unknown := sorted(set(request.query_params) - known):
                raise ValidationError({name: [_("Unknown query parameter.")] for name in unknown})
        return super().filter_queryset(request, queryset, view)


# --- the admin's list filters: options from the small tables ---------------------------------


def once_per_request(request, key: str, compute: Callable[[], T]) -> T:
    """compute() the first time the request asks for `key`, the same value after: the admin builds
    each list filter on its own, and several take their options from the same rows."""
    memo = request.__dict__.setdefault("_once_per_request", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


class OptionsFieldListFilter(admin.RelatedFieldListFilter):
    """A foreign key's filter whose options are `options(request)`: rows of the small related table
    (the calls of the officer's programs, their tracks), not the values the listed rows hold.

    RelatedOnlyFieldListFilter reads SELECT DISTINCT over every row of the officer's scope on every
    view of the list (issue 18: most of the admin list's time at national scale). The URL and the
    filtering stay RelatedFieldListFilter's (`call__id__exact=`)."""

    options: Callable[[Any], Iterable[models.Model]]

    def field_choices(self, field, request, model_admin):
        return [(row.pk, str(row)) for row in type(self).options(request)]

    @classmethod
    def of(cls, options: Callable[[Any], Iterable[models.Model]]) -> type[OptionsFieldListFilter]:
        """The filter class for list_filter = [("call", OptionsFieldListFilter.of(officer_calls))]."""
        return type(f"{cls.__name__}_{options.__name__}", (cls,), {"options": staticmethod(options)})
