from config.errors import DomainError


class InvalidPanel(DomainError):
    """A panel's rubric, window or settings do not hold together."""


class ConflictOfInterest(DomainError):
    """The reviewer has a conflict with the application (not waived)."""


class ScoringRefused(DomainError):
    """A score outside the bounds or the window, or a second submit."""


class AssignmentRefused(DomainError):
    """An assignment breaks k, L, a conflict or the one-per-institution rule."""


class SelectionRefused(DomainError):
    """A selection over the quota, below the cut-off, or a deviation without its reason."""


class ObjectionRefused(DomainError):
    """An objection out of time, or an answer to one already answered."""


class ImportRefused(DomainError):
    """A reviewer pool import with row errors: nothing was imported."""
