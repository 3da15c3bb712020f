"""Signals other parts of the service listen to (notifications, review). Sent after commit."""

from django.dispatch import Signal

# Sent with sender=DecisionVersion, version=<DecisionVersion>, by=<User> once the submit has committed.
decision_submitted = Signal()
