"""The applicant portal: my consortia and applications, the step-by-step editor, submit, withdraw.

One module per page. Views are thin: they look objects up within what the user may edit
(anything else is a 404, so ids cannot be probed), call one service per change and put the
DomainError's field messages beside the inputs, re-rendering what was posted so nothing typed
is lost.
"""

from consortia.views._common import STEP_NAMES, STEPS
from consortia.views.consortium import (
    application_create,
    consortium_create,
    consortium_detail,
    member_remove,
    organisation_search,
)
from consortia.views.editor import application_step, document_delete, document_download
from consortia.views.home import home
from consortia.views.review import application_detail, application_timeline, application_withdraw

__all__ = [
    "STEPS",
    "STEP_NAMES",
    "application_create",
    "application_detail",
    "application_step",
    "application_timeline",
    "application_withdraw",
    "consortium_create",
    "consortium_detail",
    "document_delete",
    "document_download",
    "home",
    "member_remove",
    "organisation_search",
]
