"""The gateway's own chain client (no web3) against a real Anvil: its keys, call data and signed
transactions are the bytes web3 and eth_account make, it waits for a chain that mines slowly, and
it survives the node going away and coming back."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from eth_account import Account

from anvil.accounts import DEV_NAMES, dev_key, dev_signer
from tests.support.chain import ROOT_DID
from trust_ledger.chain.errors import ChainError
from trust_ledger.chain.gateway import ROOT_NODE, TrustGateway
from trust_ledger.chain.rpc import ChainUnavailable, JsonRpc, RpcError
from trust_ledger.chain.signing import SECP256K1_N, LocalSigner, Transaction, sign_transaction

PACKET = "did:elsi:EU.EORI.NLPACKETDEL"


def test_dev_keys_are_the_accounts_anvil_holds(chain):
    """The keys derived from the mnemonic without eth_account sign as the accounts Anvil funds."""
    anvil_accounts = chain.rpc.call("eth_accounts")
    derived = [dev_signer(f"dev{i}").address for i in range(len(anvil_accounts))]
    assert [a.lower() for a in derived] == [a.lower() for a in anvil_accounts]
    assert dev_signer("anchor") == dev_signer("dev0")
    for name in DEV_NAMES:
        assert Account.from_key(dev_key(name)).address == dev_signer(name).address


@pytest.mark.parametrize(
    "fees",
    [
        {"max_fee_per_gas": 3_000_000_007, "max_priority_fee_per_gas": 1_000_000_000},
        {"gas_price": 2_500_000_000},
    ],
    ids=["eip1559", "legacy"],
)
def test_signed_transactions_are_the_bytes_eth_account_signs(fees):
    transaction = Transaction(
        chain_id=31337,
        nonce=42,
        gas=187_654,
        to=dev_signer("dev5").address,
        data="0x" + bytes(range(70)).hex(),
        **fees,
    )
    as_web3 = {
        "chainId": 31337,
        "nonce": 42,
        "gas": 187_654,
        "to": dev_signer("dev5").address,
        "data": "0x" + bytes(range(70)).hex(),
        "value": 0,
        **({"gasPrice": fees["gas_price"]} if "gas_price" in fees else {}),
        **(
            {
                "maxFeePerGas": fees["max_fee_per_gas"],
                "maxPriorityFeePerGas": fees["max_priority_fee_per_gas"],
            }
            if "max_fee_per_gas" in fees
            else {}
        ),
    }
    expected = Account.sign_transaction(as_web3, dev_key("dev3")).raw_transaction
    assert sign_transaction(transaction, dev_key("dev3")) == bytes(expected)


def test_call_data_is_what_web3_encodes(chain):
    gateway = chain.gateway(None)
    web3_registry = chain.w3.eth.contract(address=gateway.registry.address, abi=gateway.registry.abi)
    calls = [
        ("accredit", (ROOT_NODE, "CustomerCredential", [(PACKET, ["P.Info.gold", "P.Create"])], 5, 2**40)),
        ("addKey", (ROOT_NODE, "key-1", "Multikey", b"\xed\x01" + bytes(32), 3, 0, 0)),
        ("register", (ROOT_NODE, "label", PACKET, dev_signer("dev1").address, 0, b"")),
        (
            "register",
            (ROOT_NODE, "web", "did:web:a.example", dev_signer("dev1").address, 2**64 - 1, bytes(32)),
        ),
        ("nodeOfDid", (PACKET,)),
    ]
    for function, args in calls:
        assert gateway.registry.call_data(function, args) == web3_registry.encode_abi(function, args)


def test_a_private_key_is_64_hex_digits_of_a_number_below_the_curve_order():
    assert LocalSigner.from_hex("0x" + dev_key("dev1").hex()).address == dev_signer("dev1").address
    assert LocalSigner.from_hex(dev_key("dev1").hex()).address == dev_signer("dev1").address
    for bad in ("", "0x1234", "zz" * 32, "00" * 32, f"{SECP256K1_N:064x}", "ff" * 32, "0x" + "11" * 33):
        with pytest.raises(ValueError):
            LocalSigner.from_hex(bad)


def test_a_write_waits_for_a_chain_that_mines_every_second(chain):
    """No automine: the receipt is polled for until the block comes."""
    rpc = chain.w3.provider.make_request
    rpc("evm_setAutomine", [False])
    rpc("evm_setIntervalMining", [1])
    try:
        head = chain.w3.eth.block_number
        result = chain.gateway("anchor").register("root", "slow", PACKET, dev_signer("dev1").address)
    finally:
        rpc("evm_setIntervalMining", [0])
        rpc("evm_setAutomine", [True])
    assert result.block_number > head
    assert [event.event for event in result.events] == ["EntityRegistered"]
    assert chain.w3.eth.get_transaction_receipt(result.tx_hash)["blockNumber"] == result.block_number


def test_the_client_reconnects_when_the_node_comes_back(chain, proxy):
    gateway = TrustGateway(JsonRpc(proxy.url, timeout=5), chain.deployment)
    assert gateway.entity("root").did == ROOT_DID  # a kept-alive connection now exists
    proxy.down()
    proxy.up()
    assert gateway.entity("root").did == ROOT_DID, "the closed connection is replaced, not reported"

    proxy.down()
    with pytest.raises(ChainUnavailable) as down:
        gateway.entity("root")
    assert isinstance(down.value, OSError), "a follower backs off from it as from any network error"
    assert str(down.value).startswith(f"cannot reach the chain at {proxy.url}: ")

    proxy.up()
    assert gateway.entity("root").did == ROOT_DID


def test_a_node_error_that_is_no_revert_stays_the_nodes_words(chain):
    """A signer without funds: the estimate passes, the node refuses the transaction itself."""
    pauper = LocalSigner(bytes.fromhex("5e" * 32))
    chain.gateway("anchor").register("root", "pauper", PACKET, pauper.address)
    with pytest.raises(RpcError) as refused:
        chain.gateway(None).with_signer(pauper).register(PACKET, "child", "did:example:child", pauper.address)
    assert isinstance(refused.value, ChainError)
    assert refused.value.method == "eth_sendRawTransaction"
    assert "funds" in str(refused.value).lower()


@contextlib.contextmanager
def endpoint_answering(status: int, body: bytes) -> Iterator[str]:
    """A real HTTP endpoint that answers every POST with `status` and `body` (a node misbehaving)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (503, b'{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"busy"}}', "with HTTP 503: busy"),
        (502, b"<html>bad gateway</html>", "with HTTP 502"),
        (200, b"<html>a login page</html>", "with something that is not JSON-RPC"),
        (200, b"[" * 100_000 + b"]" * 100_000, "with something that is not JSON-RPC"),
        (200, b'{"jsonrpc":"2.0","id":1}', "with neither a result nor an error"),
    ],
    ids=["503-error-object", "502-html", "200-html", "200-deep-json", "200-empty"],
)
def test_an_endpoint_that_does_not_answer_json_rpc_is_unavailable(status, body, expected):
    """Unavailable, as a connection refused is (an OSError: a follower backs off and retries), never
    a JSON-RPC error that the follower would take for a range limit, nor a crash on deep JSON."""
    with endpoint_answering(status, body) as url, pytest.raises(ChainUnavailable) as refused:
        JsonRpc(url).call("eth_blockNumber")
    assert isinstance(refused.value, OSError)
    assert str(refused.value) == f"{url} answered eth_blockNumber {expected}"
