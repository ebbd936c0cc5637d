"""Filters that refuse what they do not know: `?stat=open` is a 400, not every row."""

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

# Query parameters every list understands besides its filters.
GENERAL = {"page", "format"}


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            known = set(filterset_class.base_filters) | GENERAL
            if unknown := sorted(set(request.query_params) - known):
                raise ValidationError({name: [_("Unknown query parameter.")] for name in unknown})
        return super().filter_queryset(request, queryset, view)
