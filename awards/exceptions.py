from __future__ import annotations

from dataclasses import dataclass

from config.errors import DomainError


@dataclass(frozen=True)
class RuleFailure:
    """One broken award rule, in the shape the call's rule failures have (`failures[]`)."""

    rule: str
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"rule": str(self.rule), "field": self.field, "message": self.message}


class AwardError(DomainError):
    """A rule of awards and disbursement was broken (nothing was written).

    With `rule` (an awards.rule_codes.AwardRule), the 400 also lists the failure with its stable
    code under `failures`, as the call's rules do.
    """

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None, rule: str | None = None):
        super().__init__(message, fields=fields)
        self.rule = rule
        if rule is not None:
            field = next(iter(self.fields), "non_field_errors")
            self.failures = [RuleFailure(rule=rule, field=field, message=self.message)]


class InvalidAmount(AwardError):
    """Zero, negative, or above what the tranche has left."""


class NotPayable(AwardError):
    """The award is stopped, the tranche is not released, cancelled or in a future year."""


class InvalidState(AwardError):
    """The object is not in a state that allows this step."""


class IdempotencyConflict(AwardError):
    """An Idempotency-Key reused for a different request, or missing."""


class ObjectionRefused(AwardError):
    """An objection to a stop filed late, twice or empty, or decided twice or without an answer."""


class AgreementRefused(AwardError):
    """A signed agreement that is not a PDF, misnamed, too large, or dated outside its range."""
