from config.errors import DomainError


class InvalidPanel(DomainError):
    """A panel's rubric, window or settings do not hold together."""

    code = "panel.invalid"


class ConflictOfInterest(DomainError):
    """The reviewer has a conflict with the application (not waived)."""

    code = "assignment.conflict_of_interest"


class ScoringRefused(DomainError):
    """A score outside the bounds or the window, or a second submit."""

    code = "score.refused"


class AssignmentRefused(DomainError):
    """An assignment breaks k, L, a conflict or the one-per-institution rule."""

    code = "assignment.refused"


class SelectionRefused(DomainError):
    """A selection over the quota, below the cut-off, or a deviation without its reason."""

    code = "selection.refused"


class ObjectionRefused(DomainError):
    """An objection out of time, or an answer to one already answered."""

    code = "objection.refused"


class ImportRefused(DomainError):
    """A reviewer pool import with row errors: nothing was imported."""

    code = "import.refused"
