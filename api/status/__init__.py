"""Status-list publishing for the issuer: encodings, signed list credentials, index allocation.

- encodings:   W3C / IETF / TW DIW encodings of one MSB-first bitstring, and tolerant decoders;
- signing:     the JwsSigner port and a local P-256 signer;
- publication: signed list credentials (VC-JWT, statuslist+jwt, StatusList2021 JWT VC);
- store:       SQLite persistence of lists and allocated indices;
- allocation:  random, never-reused index allocation with on-chain roll-over;
- entries:     the credentialStatus / status claims that point at the allocations.
"""
