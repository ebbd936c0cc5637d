"""Monitoring of awards after the agreement: milestones and their reminders, KPI reports and the
rollups that officers' dashboards read.

A separate app because it follows an award for its whole life (and five years after) on its own
clock: beat-driven reminders, officers' validation of reported actuals, and rollup tables
recomputed in the database. `awards/` keeps the agreement and its money; this app only reads it.
"""
