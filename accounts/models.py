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


class IdempotencyKey(models.Model):
    """A create request's Idempotency-Key (API header or portal form token) and its first result.

    Claimed by inserting this row inside the create's transaction: a second request with the
    same key waits on the unique index until the first commits, then replays its result; if
    the first failed, nothing was stored and the second runs. A key stays taken for good.
    """

    user = models.ForeignKey("accounts.User", models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # sha256 of method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user"),
        ]

    def __str__(self) -> str:
        return self.key
