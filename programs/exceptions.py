from config.errors import DomainError


class InvalidCall(DomainError):
    """A call's dates, regions, provinces or rules do not hold together."""

    code = "call.invalid"


class RulesLocked(DomainError):
    """The call's rules cannot change once an application has been submitted."""

    code = "call.rules_locked"
