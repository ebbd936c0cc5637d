from celery import shared_task


@shared_task(acks_late=True)
def run_assignment(run_id: int) -> None:
    # May run twice (acks_late): the run is claimed by a conditional UPDATE of its state.
    from evaluations.services import execute_assignment_run

    execute_assignment_run(run_id=run_id)


@shared_task(acks_late=True)
def tokenise_application(application_id: int) -> None:
    """Keeps the application's tokens for the reviewer affinity (idempotent: by the text's hash)."""
    from evaluations.assignment import refresh_application_texts

    refresh_application_texts([application_id])


@shared_task
def remind_reviewers() -> int:
    """Daily: reviewers with unsubmitted sheets 3 days and 1 day before their panel closes."""
    from evaluations.services import queue_reviewer_reminders

    return queue_reviewer_reminders()


@shared_task
def remind_result_deadlines() -> int:
    """Daily: objection answers (officers) and agreements (selected applicants) due in 7 days or
    1 day, and objection answers overdue; each once per object, occasion and day."""
    from evaluations.services import queue_deadline_reminders

    return queue_deadline_reminders()
