// The peer of bench/resolve.py: ethr-did-resolver (with the did-resolver it depends on, both pinned
// in package-lock.json) resolving did:ethr DIDs from an ERC-1056 EthereumDIDRegistry on the same
// Anvil, behind a minimal Node HTTP server: GET /1.0/identifiers/<did> answers the resolution
// result as JSON (200, or 404 with the error), nothing else. No cache: every request reads the
// chain, as ethr-did-resolver does by default.
//
//   node bench/ethr_peer.cjs <port> <rpcUrl> <registryAddress> <chainId>
//
// Prints "listening <port>" once it accepts connections.
'use strict';

const http = require('http');
const { createRequire } = require('module');
const { getResolver } = require('ethr-did-resolver');
// the did-resolver ethr-did-resolver was built against (5.x; the project's own top-level one is 4.x)
const { Resolver } = createRequire(require.resolve('ethr-did-resolver'))('did-resolver');

const [port, rpcUrl, registry, chainId] = process.argv.slice(2);
const resolver = new Resolver(
  getResolver({ networks: [{ name: 'dev', chainId: Number(chainId), rpcUrl, registry }] }),
);
const PREFIX = '/1.0/identifiers/';

const server = http.createServer(async (request, response) => {
  if (request.method !== 'GET' || !request.url.startsWith(PREFIX)) {
    response.writeHead(404).end();
    return;
  }
  const did = decodeURIComponent(request.url.slice(PREFIX.length));
  try {
    const result = await resolver.resolve(did);
    const body = JSON.stringify(result);
    const status = result.didResolutionMetadata.error ? 404 : 200;
    response.writeHead(status, { 'content-type': 'application/did-resolution+json' }).end(body);
  } catch (error) {
    response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
  }
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write(`listening ${port}\n`));
