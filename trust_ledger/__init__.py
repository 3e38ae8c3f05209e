"""trust-ledger: an event-sourced, ledger-backed trust framework."""
