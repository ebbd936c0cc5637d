from config.errors import DomainError


class InvalidState(DomainError):
    """The milestone or report is not in a state that allows this move."""

    code = "monitoring.invalid_state"


class InvalidReport(DomainError):
    """A KPI report's value, indicator or year is not acceptable."""

    code = "monitoring.invalid_report"
