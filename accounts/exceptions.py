from config.errors import DomainError


class IdempotencyKeyReused(DomainError):
    """An Idempotency-Key that already belongs to a different request."""

    code = "idempotency.key_reused"
