from config.errors import DomainError


class InvalidState(DomainError):
    """The milestone or report is not in a state that allows this move."""


class InvalidReport(DomainError):
    """A KPI report's value, indicator or year is not acceptable."""
