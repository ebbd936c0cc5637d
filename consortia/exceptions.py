from config.errors import DomainError


class RulesBroken(DomainError):
    """Submission refused: the call's rules are not met (every failure is listed)."""

    code = "application.rules_broken"

    def __init__(self, message: str, *, failures):
        from consortia.rules import fields_of

        super().__init__(message, fields=fields_of(failures))
        self.failures = failures


class InvalidTransition(DomainError):
    """The application is not in a state that allows this step."""

    code = "application.invalid_transition"


class NotEditable(DomainError):
    """Only a draft can be edited."""

    code = "application.not_editable"


class InvalidInput(DomainError):
    """Input that cannot be stored (wrong member, year outside the duration, bad file)."""

    code = "input.invalid"


class MemberInUse(DomainError):
    """Removing the member would delete its budget lines and people: asked to confirm first."""

    code = "member.in_use"
