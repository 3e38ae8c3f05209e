// web-did-resolver (DIF, with did-resolver) resolves a did:web DID the standard way: an HTTPS GET of
// https://<domain>/.well-known/did.json (or /<path>/did.json). The test's server presents a
// certificate of a test CA that Node trusts through NODE_EXTRA_CA_CERTS; nothing else is patched.
// Usage: node did_web.mjs <did>. Prints the DID resolution result as JSON.
import { Resolver } from "did-resolver";
import { getResolver } from "web-did-resolver";

const [did] = process.argv.slice(2);
const result = await new Resolver(getResolver()).resolve(did);
process.stdout.write(JSON.stringify(result));
