"""Resolution straight from the chain, the ethr-did-resolver way: contract calls for the
current entity, then eth_getLogs over the DID's node topic and a fold over every change
event. The baseline the projections are measured against: its cost grows with history."""

from __future__ import annotations

from typing import Any

from trust_ledger.chain.abi import ENTITY_STATUS
from trust_ledger.chain.gateway import TrustGateway


def resolve_from_chain(gateway: TrustGateway, did: str) -> dict[str, Any]:
    """A DID document (without trust facts beyond status) built from calls and the DID's events."""
    found, node = gateway.call(gateway.registry, "nodeOfDid", did)
    if not found:
        raise LookupError(did)
    node_hex = "0x" + bytes(node).hex()
    _parent, controller, status, _did = gateway.call(gateway.registry, "entity", node)
    logs = gateway.rpc.call(
        "eth_getLogs",
        {
            "fromBlock": hex(gateway.deployment.deployment_block),
            "toBlock": "latest",
            "address": gateway.registry.address,
            "topics": [None, node_hex],
        },
    )
    keys: dict[str, dict[str, Any]] = {}
    services: dict[str, dict[str, Any]] = {}
    for raw in logs:
        log = gateway.decoder.decode(raw, 0)
        args = log.args
        if log.event == "KeyAdded":
            keys[args["keyId"]] = {"type": args["keyType"], "material": args["publicKey"]}
        elif log.event == "KeyRevoked":
            keys.pop(args["keyId"], None)
        elif log.event == "ServiceAdded":
            services[args["serviceId"]] = {"type": args["serviceType"], "serviceEndpoint": args["endpoint"]}
        elif log.event == "ServiceRemoved":
            services.pop(args["serviceId"], None)
    return {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "controller": controller,
        "verificationMethod": [
            {"id": f"{did}#{key_id}", "type": key["type"], "controller": did} for key_id, key in keys.items()
        ],
        "service": [{"id": f"{did}#{sid}", **service} for sid, service in services.items()],
        "status": ENTITY_STATUS[status],
    }
