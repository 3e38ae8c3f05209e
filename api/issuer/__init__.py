"""The issuer service: TW DIW issuer module API (DWVC-101/201/202/203/301/302) over OID4VCI 1.0.

Modules, one job each: ``config`` (configuration file), ``errors`` (DIW and OAuth errors),
``sealing`` (per-offer keys for personal data, crypto-shredding), ``records`` (event-sourced
issuance records and their index), ``nonces`` (c_nonce store), ``trust`` (may this issuer issue
this type now?), ``credentials`` (building the credential per format/profile), ``status``
(allocation, on-chain status changes, publication), ``service`` (the use cases), ``qr`` (QR PNG),
``routes_*`` (HTTP) and ``app`` (the FastAPI application and its error mapping).
"""
