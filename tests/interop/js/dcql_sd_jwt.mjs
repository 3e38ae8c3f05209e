// The dcql library (openwallet-foundation-labs/dcql-ts) matches one of our dc+sd-jwt credentials
// against a DCQL query of our verifier: its vct and disclosed claims as @sd-jwt/decode reads them.
// Usage: node dcql_sd_jwt.mjs < {"query": {...}, "credential": "<sd-jwt>"}. Prints the result.
import { readFileSync } from "node:fs";
import { digest } from "@sd-jwt/crypto-nodejs";
import { decodeSdJwt, getClaims } from "@sd-jwt/decode";
import { DcqlQuery } from "dcql";

const { query, credential } = JSON.parse(readFileSync(0, "utf8"));
const decoded = await decodeSdJwt(credential, digest);
const claims = await getClaims(decoded.jwt.payload, decoded.disclosures, digest);
const parsed = DcqlQuery.parse(query);
DcqlQuery.validate(parsed);
const result = DcqlQuery.query(parsed, [
  { credential_format: "dc+sd-jwt", vct: claims.vct, claims, cryptographic_holder_binding: true },
]);
process.stdout.write(JSON.stringify({ vct: claims.vct, result }));
