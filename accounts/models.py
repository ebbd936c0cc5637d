"""Users with one name field, written as Koreans write it ("김민지"), as cookiecutter-django does."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    # One field for the whole name: Korean names are family name first with no space, and
    # a first/last split renders them backwards ("민지 김").
    name = models.CharField(_("name"), max_length=150, blank=True)
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]

    REQUIRED_FIELDS = ["email"]

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        return self.name.strip()

    def get_short_name(self) -> str:
        return self.name.strip()

    def __str__(self) -> str:
        return self.name or self.username
