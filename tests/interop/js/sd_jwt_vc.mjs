// @sd-jwt/sd-jwt-vc (OpenWallet Foundation) verifies an SD-JWT VC we issued the way it verifies
// any: the issuer signature (ES256 with the issuer's key), then the status with its own default
// fetcher (GET status.status_list.uri with Accept application/statuslist+jwt, Content-Type
// checked, the Status List Token's signature, status 0 or refused), then, with typeMetadata,
// the vct's Type Metadata fetched from the vct URI with its default fetcher and validated against
// its schema. Everything is fetched from our server over HTTP.
// Usage: node sd_jwt_vc.mjs < {"credential", "jwk", "typeMetadata": bool}. Prints
// {"ok": true, "payload", "typeMetadata"} or {"ok": false, "error"}.
import { readFileSync } from "node:fs";
import { ES256, digest } from "@sd-jwt/crypto-nodejs";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";

const { credential, jwk, typeMetadata } = JSON.parse(readFileSync(0, "utf8"));
const sdjwt = new SDJwtVcInstance({
  hasher: digest,
  verifier: await ES256.getVerifier(jwk),
  loadTypeMetadataFormat: Boolean(typeMetadata),
});
try {
  const result = await sdjwt.verify(credential);
  process.stdout.write(JSON.stringify({ ok: true, payload: result.payload, typeMetadata: result.typeMetadata }));
} catch (error) {
  process.stdout.write(JSON.stringify({ ok: false, error: String(error.message ?? error) }));
}
