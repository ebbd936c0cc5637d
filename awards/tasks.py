from celery import shared_task


@shared_task
def send_recovery_demand_notices() -> int:
    """Daily: unpaid recoveries past their due date get their demand notice (독촉장), once each."""
    from awards.services import send_demand_notices

    return send_demand_notices()
