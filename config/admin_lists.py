"""The admin's long lists at national scale (issue 18): a count that stops, and what unfold's
changelist redid for every row done once per page.

unfold 0.91 renders each row by recomputing every column header (label, sort state and the
"select all" checkbox rendered through the template engine: `items_for_result` calls
`result_headers(cl)` per row), and renders each row's action checkbox through the template
engine too. On a page of 50 rows that was a third of the page's Python time.
"""

from __future__ import annotations

from django.contrib.admin import helpers
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from unfold import admin as unfold_admin
from unfold.templatetags import unfold_list
from unfold.views import ChangeList

from config.paging import BoundedCountPaginator, admin_page_number


def _headers_once_per_changelist(result_headers):
    """The headers depend on the changelist only: computed for its first row, reused for the rest."""

    def headers(cl):
        cached = cl.__dict__.get("_result_headers")
        if cached is None:
            cached = cl._result_headers = list(result_headers(cl))
        return iter(cached)

    headers.original = result_headers
    return headers


if not hasattr(unfold_list.result_headers, "original"):
    unfold_list.result_headers = _headers_once_per_changelist(unfold_list.result_headers)


_PK = "__pk__"
_checkboxes: dict[str, str] = {}


def action_checkbox_html(pk) -> str:
    """unfold's row checkbox (unfold.admin.checkbox), rendered once per language, not per row."""
    language = get_language()
    if language not in _checkboxes:
        _checkboxes[language] = unfold_admin.checkbox.render(helpers.ACTION_CHECKBOX_NAME, _PK)
    return mark_safe(_checkboxes[language].replace(f'value="{_PK}"', f'value="{escape(str(pk))}"', 1))


class LargeChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        if not self.has_active_filters and not self.query:
            # The list is the whole scope: its count is the total (show_full_result_count is off,
            # and unfold would otherwise say "N results (show all)" over the unfiltered list).
            self.full_result_count = self.result_count


class LargeListAdmin:
    """A ModelAdmin mixin for lists over an officer's national scope: the changelist counts with
    BoundedCountPaginator and only once (no unfiltered total), and renders its checkboxes as text."""

    show_full_result_count = False
    count_window = 1000
    # unfold's row template asks for it twice per row; a missing attribute costs the template
    # engine a dir() of the whole ModelAdmin each time.
    list_sections = ()

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return BoundedCountPaginator(
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            page=admin_page_number(request),
            window=self.count_window,
        )

    def get_changelist(self, request, **kwargs):
        return LargeChangeList

    def action_checkbox(self, obj) -> str:
        return action_checkbox_html(obj.pk)

    # The column's header stays unfold's (its description is the "select all" checkbox).
    action_checkbox.short_description = unfold_admin.ModelAdmin.action_checkbox.short_description
