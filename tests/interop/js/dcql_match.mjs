// The dcql library (openwallet-foundation-labs/dcql-ts) matches one of our jwt_vc_json credentials
// against our verifier's DCQL query. Its `type` is what jsonld.js expands the credential's `type`
// to (OID4VP Appendix B.1.1: type_values are fully expanded IRIs), with the contexts loaded
// offline from their npm packages (any other context URL is an error, never fetched).
// Usage: node dcql_match.mjs < {"query": {...}, "credential": "<jwt>"}. Prints the query result.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { DcqlQuery } from "dcql";
import jsonld from "jsonld";

const require = createRequire(import.meta.url);
const CONTEXTS = new Map([
  ...require("credentials-context").contexts,
  ...require("@digitalbazaar/vc-status-list-context").contexts,
]);

async function documentLoader(url) {
  if (!CONTEXTS.has(url)) throw new Error(`context ${url} is not available offline`);
  return { contextUrl: null, documentUrl: url, document: CONTEXTS.get(url) };
}

const { query, credential } = JSON.parse(readFileSync(0, "utf8"));
const vc = JSON.parse(Buffer.from(credential.split(".")[1], "base64url")).vc;
const [expanded] = await jsonld.expand(vc, { documentLoader });

const parsed = DcqlQuery.parse(query);
DcqlQuery.validate(parsed);
const result = DcqlQuery.query(parsed, [
  {
    credential_format: "jwt_vc_json",
    type: expanded["@type"],
    claims: vc,
    cryptographic_holder_binding: true,
  },
]);
process.stdout.write(JSON.stringify({ expandedTypes: expanded["@type"], result }));
