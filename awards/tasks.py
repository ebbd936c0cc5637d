from celery import shared_task


@shared_task
def send_recovery_demand_notices() -> int:
    """Daily: unpaid recoveries past their due date get their demand notice (독촉장), once each."""
    from awards.services import send_demand_notices

    return send_demand_notices()


@shared_task
def confirm_due_stops() -> int:
    """Daily: stops whose objection period ended with no objection awaiting a decision take
    effect (award stopped, later tranches cancelled, contacts told), once each."""
    from awards.services import confirm_due_stops as confirm

    return confirm()


@shared_task
def confirm_award_stop(award_id: int) -> bool:
    """One award's stop, if due (after an objection is rejected past the period); may run twice."""
    from awards.services import confirm_due_stop

    return confirm_due_stop(award_id=award_id)
