from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from consortia.signals import application_submitted
        from evaluations.receivers import tokenise_on_submit

        application_submitted.connect(tokenise_on_submit, dispatch_uid="evaluations.tokenise_on_submit")
