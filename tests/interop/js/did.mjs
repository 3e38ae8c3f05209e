// DID resolution against our resolver over HTTP, and JWS verification with the resolved key
// (Node's own crypto), shared by the interop scripts.
import { createPublicKey, verify } from "node:crypto";

/** The DID document of `did` from the resolver's DIF Universal Resolver route. */
export async function resolveDid(resolverUrl, did) {
  const response = await fetch(`${resolverUrl}/1.0/identifiers/${encodeURIComponent(did)}`, {
    headers: { Accept: "application/did-resolution" },
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`resolving ${did}: ${response.status} ${JSON.stringify(body)}`);
  return body.didDocument ?? body;
}

/** The public JWK of the verification method `didUrl` (a DID URL with a fragment). */
export async function publicJwk(resolverUrl, didUrl) {
  const did = didUrl.split("#")[0];
  const document = await resolveDid(resolverUrl, did);
  const fragment = didUrl.slice(did.length);
  const method = (document.verificationMethod ?? []).find(
    (vm) => vm.id === didUrl || vm.id === fragment,
  );
  if (!method?.publicKeyJwk) throw new Error(`${didUrl} is not a verification method of ${did}`);
  return method.publicKeyJwk;
}

const HASHES = { ES256: "sha256", ES256K: "sha256", EdDSA: null };

/** Whether the compact JWS `compact` verifies with `jwk` under its header's `alg`. */
export function verifyJws(compact, jwk) {
  const [header, payload, signature] = compact.split(".");
  const alg = JSON.parse(Buffer.from(header, "base64url")).alg;
  if (!(alg in HASHES)) throw new Error(`unsupported alg ${alg}`);
  const key = createPublicKey({ key: jwk, format: "jwk" });
  return verify(
    HASHES[alg],
    Buffer.from(`${header}.${payload}`),
    { key, dsaEncoding: "ieee-p1363" },
    Buffer.from(signature, "base64url"),
  );
}
