"""Compile the trust contracts offline with py-solc-x and the solcjs shim.

The result is cached under contracts/build by a hash of the sources and settings, so reading the
ABI (every gateway does) costs a file read, and py-solc-x loads only when something must compile.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from trust_ledger.paths import CONTRACTS_DIR, solc_shim

SOURCE_DIR = CONTRACTS_DIR / "src"
BUILD_DIR = CONTRACTS_DIR / "build"  # compiled ABI and bytecode, keyed by a hash of sources and settings
CONTRACT_FILES = {
    "TrustRegistry": "TrustRegistry.sol",
    "StatusRegistry": "StatusRegistry.sol",
}
# Must match contracts/foundry.toml so forge tests and deployments run the same bytecode.
SETTINGS = {
    "optimizer": {"enabled": True, "runs": 200},
    "evmVersion": "cancun",
    "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
}


@dataclass(frozen=True)
class CompiledContract:
    """ABI and creation bytecode of one contract."""

    name: str
    abi: list[dict]
    bytecode: str


def _sources() -> dict[str, dict[str, str]]:
    return {
        str(path.relative_to(SOURCE_DIR)): {"content": path.read_text()}
        for path in sorted(SOURCE_DIR.rglob("*.sol"))
    }


def compile_contracts(cache_dir: Path | None = None) -> dict[str, CompiledContract]:
    """Compile contracts/src, reusing a cached result for identical sources and settings."""
    sources = _sources()
    standard_input = {"language": "Solidity", "sources": sources, "settings": SETTINGS}
    digest = hashlib.sha256(json.dumps(standard_input, sort_keys=True).encode()).hexdigest()[:16]
    cache_file = (cache_dir or BUILD_DIR) / f"contracts-{digest}.json"
    if cache_file.exists():
        raw = json.loads(cache_file.read_text())
    else:
        import solcx

        output = solcx.compile_standard(standard_input, solc_binary=solc_shim(), base_path=SOURCE_DIR)
        raw = {
            name: {
                "abi": output["contracts"][file][name]["abi"],
                "bytecode": "0x" + output["contracts"][file][name]["evm"]["bytecode"]["object"],
            }
            for name, file in CONTRACT_FILES.items()
        }
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(json.dumps(raw))
    return {name: CompiledContract(name, entry["abi"], entry["bytecode"]) for name, entry in raw.items()}
