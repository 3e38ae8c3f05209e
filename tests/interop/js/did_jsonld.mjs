// jsonld.js expands DID documents our resolver serves, in safe mode (an undefined term or type,
// which jsonld.js would otherwise drop, is an error), with the DID v1, Multikey v1 and JWS 2020
// contexts loaded offline from their npm packages (any other context URL is an error, never fetched).
// Usage: node did_jsonld.mjs < [document, ...]. Prints the expanded documents as JSON.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import jsonld from "jsonld";

const require = createRequire(import.meta.url);
const security = require("@transmute/security-context");
const JWS_2020 = security.constants.JSON_WEB_SIGNATURE_2020_V1_URL;
const CONTEXTS = new Map([
  ...require("did-context").contexts,
  ...require("@digitalbazaar/multikey-context").contexts,
  [JWS_2020, security.contexts.get(JWS_2020)],
]);

async function documentLoader(url) {
  if (!CONTEXTS.has(url)) throw new Error(`context ${url} is not available offline`);
  return { contextUrl: null, documentUrl: url, document: CONTEXTS.get(url) };
}

const documents = JSON.parse(readFileSync(0, "utf8"));
const expanded = [];
for (const document of documents) {
  expanded.push(await jsonld.expand(document, { documentLoader, safe: true }));
}
process.stdout.write(JSON.stringify(expanded));
