// jsonld.js (Digital Bazaar) loads a status list credential the way a JSON-LD / W3C VC processor
// does: its own node document loader fetches the URL over HTTP with its fixed Accept
// ("application/ld+json, application/json"), then the document is expanded with the VCDM 1.1 and
// StatusList2021 contexts from their npm packages (any other context URL is an error, never
// fetched). Usage: node w3c_status_list.mjs < {"url"}. Prints {"contentType", "document",
// "expanded"}.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import jsonld from "jsonld";

const require = createRequire(import.meta.url);
const CONTEXTS = new Map([
  ...require("credentials-context").contexts,
  ...require("@digitalbazaar/vc-status-list-context").contexts,
]);
const { url } = JSON.parse(readFileSync(0, "utf8"));
const web = jsonld.documentLoaders.node();

async function documentLoader(iri) {
  if (!CONTEXTS.has(iri)) throw new Error(`context ${iri} is not available offline`);
  return { contextUrl: null, documentUrl: iri, document: CONTEXTS.get(iri) };
}

const loaded = await web(url);
const document = typeof loaded.document === "string" ? JSON.parse(loaded.document) : loaded.document;
const expanded = await jsonld.expand(document, { documentLoader });
const response = await fetch(url, { headers: { Accept: "application/ld+json, application/json" } });
process.stdout.write(
  JSON.stringify({ contentType: response.headers.get("content-type"), document, expanded }),
);
