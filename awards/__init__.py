"""Awards (협약), yearly tranches, the money ledger, disbursements, grades, changes, settlement.

A separate app because the money ledger is its own bounded context with its own invariants
(append-only entries, every balance a sum of them, money moving exactly once), and because it
keeps `programs/` to reference data and calls and `consortia/` to the applicant's proposal.
An award copies what it needs from a selected application (members, provinces, budget plan)
at selection: later changes to the consortium never rewrite it.
"""
