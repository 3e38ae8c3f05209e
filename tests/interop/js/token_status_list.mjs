// @sd-jwt/jwt-status-list (OpenWallet Foundation) reads our published Status List Token: the
// token fetched over HTTP from the uri an SD-JWT VC names, with the Accept of the Token Status
// List's "Status List Request", its signature checked with the issuer's key (@sd-jwt/core's Jwt
// and @sd-jwt/crypto-nodejs), and the status of each given index decoded by the library.
// Usage: node token_status_list.mjs < {"uri", "indices": [...], "jwk"}. Prints
// {"contentType", "bits", "statuses": {index: status}, "header"}.
import { readFileSync } from "node:fs";
import { Jwt } from "@sd-jwt/core";
import { ES256 } from "@sd-jwt/crypto-nodejs";
import { getListFromStatusListJWT } from "@sd-jwt/jwt-status-list";

const { uri, indices, jwk } = JSON.parse(readFileSync(0, "utf8"));
const response = await fetch(uri, { headers: { Accept: "application/statuslist+jwt" } });
if (!response.ok) throw new Error(`${uri}: ${response.status} ${await response.text()}`);
const token = await response.text();
const jwt = Jwt.fromEncode(token);
await jwt.verify(await ES256.getVerifier(jwk));
const list = getListFromStatusListJWT(token);
const statuses = Object.fromEntries(indices.map((index) => [index, list.getStatus(index)]));
process.stdout.write(
  JSON.stringify({
    contentType: response.headers.get("content-type"),
    cors: response.headers.get("access-control-allow-origin"),
    bits: list.getBitsPerStatus(),
    header: jwt.header,
    sub: jwt.payload.sub,
    statuses,
  }),
);
