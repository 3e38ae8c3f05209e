"""Credential formats for the issuer and verifier: keys, SD-JWT VC, VC-JWT, OID4VCI key proofs.

Modules, one job each: ``errors`` (reason codes), ``keys`` (signing keys, alg-pinned JWS
verification), ``claims`` (time/aud/nonce checks), ``disclosures`` (SD-JWT disclosures),
``kb_jwt`` (key binding JWT), ``status`` (status references), ``dids`` (did:jwk / did:key holder
keys), ``sd_jwt`` (SD-JWT VC), ``jwt_vc`` (jwt_vc_json + VP-JWT), ``proof`` (OID4VCI key proof).
"""
