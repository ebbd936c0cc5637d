"""Evaluations' answers to what the lower apps announce (connected in EvaluationsConfig.ready)."""

from config.celery import enqueue_after_commit


def tokenise_on_submit(sender, application_id: int, **kwargs) -> None:
    """A submitted application's text is final: tokenise it now, once, rather than in the first
    assignment run (which still tokenises whatever is missing or changed, so a lost task costs
    only time)."""
    from evaluations.tasks import tokenise_application

    enqueue_after_commit(tokenise_application, application_id)
