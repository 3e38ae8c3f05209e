// did-jwt-vc (with did-resolver) verifies one of our jwt_vc_json credentials as a VCDM 1.1 JWT:
// the issuer's DID resolved through our resolver over HTTP, the signature, nbf/exp, and the W3C
// payload rules (default context first, VerifiableCredential type, credentialSubject, dates).
// Usage: node vc_jwt.mjs <resolverUrl> < credential.jwt. Prints the normalized credential as JSON.
import { readFileSync } from "node:fs";
import { verifyCredential } from "did-jwt-vc";
import { Resolver } from "did-resolver";

const [resolverUrl] = process.argv.slice(2);
const jwt = readFileSync(0, "utf8").trim();

/** did-resolver's DIDResolver over our resolver's DIF Universal Resolver route. */
async function viaOurResolver(did) {
  const response = await fetch(`${resolverUrl}/1.0/identifiers/${encodeURIComponent(did)}`, {
    headers: { Accept: "application/did-resolution" },
  });
  const result = await response.json();
  if (!result.didDocument) throw new Error(`resolving ${did}: ${response.status} ${JSON.stringify(result)}`);
  return result;
}

const resolver = new Resolver({ web: viaOurResolver, elsi: viaOurResolver });
const verified = await verifyCredential(jwt, resolver, { proofPurpose: "assertionMethod" });
process.stdout.write(
  JSON.stringify({
    issuer: verified.issuer,
    signer: verified.signer.id,
    credential: verified.verifiableCredential,
  }),
);
