"""What consortia tell the apps above them without importing them (evaluations, awards …)."""

from django.dispatch import Signal

# Sent once an application's submission has committed, with `application_id`. Its text is final
# from then on: evaluations tokenises it for the reviewer affinity (evaluations/receivers.py).
application_submitted = Signal()
