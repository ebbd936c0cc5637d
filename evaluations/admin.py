from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from consortia.admin import officer
from evaluations.models import Reviewer
from programs.permissions import is_admin


@admin.register(Reviewer)
class ReviewerAdmin(ModelAdmin):
    """The reviewer pool: officers search it (to form panels), superusers maintain it."""

    list_display = ["__str__", "email", "affiliation", "department", "expertise"]
    search_fields = [
        "user__name",
        "user__username",
        "user__email",
        "affiliation",
        "department",
        "expertise",
    ]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, obj: Reviewer) -> str:
        return obj.user.email

    def has_module_permission(self, request):
        return officer(request)

    def has_view_permission(self, request, obj=None):
        return officer(request)

    def has_add_permission(self, request):
        return is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_admin(request.user)
