from config.errors import DomainError


class AwardError(DomainError):
    """A rule of awards and disbursement was broken (nothing was written)."""


class InvalidAmount(AwardError):
    """Zero, negative, or above what the tranche has left."""


class NotPayable(AwardError):
    """The award is stopped, the tranche is not released, cancelled or in a future year."""


class InvalidState(AwardError):
    """The object is not in a state that allows this step."""


class IdempotencyConflict(AwardError):
    """An Idempotency-Key reused for a different request, or missing."""
