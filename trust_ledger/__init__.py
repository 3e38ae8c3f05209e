"""trust-ledger: an event-sourced, ledger-backed trust framework."""

from trust_ledger import recursion_limit as _recursion_limit  # noqa: F401  (first: see its docstring)
