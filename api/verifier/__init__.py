"""The verifier module: TW DIW verifier API (DWVP-01/02) over OID4VP 1.0 and SIOPv2, with the trust
decision read from the ledger's views (or from a signed offline snapshot)."""
