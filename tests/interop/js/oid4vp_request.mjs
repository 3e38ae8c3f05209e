// A wallet's first step with the OpenWallet Foundation's OID4VP client (@openid4vc/openid4vp):
// parse our authorization request (by reference), fetch the request object from request_uri,
// verify its signature with the key the DID names (resolved through our resolver), validate it.
// Usage: node oid4vp_request.mjs <authUri> <resolverUrl>. Prints the resolved request as JSON.
import { Openid4vpClient } from "@openid4vc/openid4vp";
import { setGlobalConfig } from "@openid4vc/utils";
import { createHash, randomBytes } from "node:crypto";
import { publicJwk, verifyJws } from "./did.mjs";

const [authUri, resolverUrl] = process.argv.slice(2);
setGlobalConfig({ allowInsecureUrls: true }); // the test servers speak http:// on 127.0.0.1

const client = new Openid4vpClient({
  callbacks: {
    fetch,
    hash: (data, alg) => createHash(alg.replace("-", "").toLowerCase()).update(data).digest(),
    generateRandom: (n) => randomBytes(n),
    verifyJwt: async (signer, jwt) => {
      if (signer.method !== "did") return { verified: false };
      const jwk = await publicJwk(resolverUrl, signer.didUrl);
      return { verified: verifyJws(jwt.compact, jwk), signerJwk: jwk };
    },
  },
});

const parsed = client.parseOpenid4vpAuthorizationRequest({ authorizationRequest: authUri });
const resolved = await client.resolveOpenId4vpAuthorizationRequest({
  authorizationRequestPayload: parsed.params,
});
process.stdout.write(
  JSON.stringify({
    client: resolved.client,
    payload: resolved.authorizationRequestPayload,
    dcql: resolved.dcql?.query ?? null,
    signer: resolved.jar?.signer ?? null,
    version: resolved.version,
  }),
);
