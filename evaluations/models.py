from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Reviewer(models.Model):
    """A member of the reviewer pool (평가위원), with affiliation and expertise keywords."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="reviewer")
    affiliation = models.CharField(_("affiliation"), max_length=160)
    department = models.CharField(_("department"), max_length=120, blank=True)
    expertise = models.CharField(
        _("expertise keywords"),
        max_length=400,
        blank=True,
        help_text=_("Comma-separated keywords."),
    )

    class Meta:
        ordering = ["user__name"]
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()
