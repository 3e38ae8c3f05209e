"""A small Ethereum JSON-RPC client over HTTP(S), on the standard library.

What the gateway and the follower need, without web3: one request per call, a kept-alive
connection per thread (a gateway is shared by the issuer's request threads and the follower's),
results as the node sends them (hex quantities, hex data). Failures are typed: the endpoint not
answering is ChainUnavailable (an OSError too, so a follower backs off as from any network error),
a JSON-RPC error object is RpcError, with the revert data of a refused call when there is some.
"""

from __future__ import annotations

import base64
import http.client
import json
import threading
from itertools import count
from typing import Any
from urllib.parse import unquote, urlsplit

from trust_ledger.chain.errors import ChainError

DEFAULT_TIMEOUT = 30.0
"""Seconds a call may take before it is given up as unanswered."""


class ChainUnavailable(ChainError, OSError):
    """The RPC endpoint cannot be reached, or does not answer as a JSON-RPC endpoint does."""


class RpcTimeout(ChainUnavailable):
    """The endpoint did not answer within the timeout (a big eth_getLogs range, a stuck node)."""


class RpcError(ChainError):
    """The node answered a call with a JSON-RPC error object.

    `code`, `message` and `data` are the error's members; `revert_data` is the ABI-encoded revert
    reason of a refused eth_call or eth_estimateGas (None for other errors).
    """

    def __init__(self, method: str, error: dict[str, Any]):
        self.method = method
        self.code = error.get("code")
        self.message = str(error.get("message", ""))
        self.data = error.get("data")
        super().__init__(f"{method}: {self.message or error}")

    @property
    def revert_data(self) -> str | None:
        data = self.data
        if isinstance(data, dict):  # some nodes nest it: {"data": "0x..."} or {"originalError": ...}
            data = data.get("data", data.get("originalError", {}).get("data"))
        if isinstance(data, str) and data.startswith("0x"):
            return data
        return None


class JsonRpc:
    """Calls one JSON-RPC endpoint; safe to share between threads (each has its own connection)."""

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"'{url}' is not an http(s) JSON-RPC URL")
        self.url = url
        self.timeout = timeout
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if parts.username is not None:
            credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            self._headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
        self._local = threading.local()
        self._ids = count(1)

    def __repr__(self) -> str:
        return f"JsonRpc({self.url!r})"

    def call(self, method: str, *params: Any) -> Any:
        """The `result` of `method(params)`; raises RpcError, ChainUnavailable or RpcTimeout."""
        body = json.dumps({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params})
        status, raw = self._post(body.encode())
        try:
            answer = json.loads(raw)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than anything a node sends
            answer = None
        error = answer.get("error") if isinstance(answer, dict) else None
        if status != 200:  # an overloaded or misconfigured endpoint: unreachable for now, as web3 had it
            detail = f": {error.get('message')}" if isinstance(error, dict) and error.get("message") else ""
            raise ChainUnavailable(f"{self.url} answered {method} with HTTP {status}{detail}")
        if not isinstance(answer, dict):
            raise ChainUnavailable(f"{self.url} answered {method} with something that is not JSON-RPC")
        if error is not None:
            raise RpcError(method, error if isinstance(error, dict) else {"message": str(error)})
        if "result" not in answer:
            raise ChainUnavailable(f"{self.url} answered {method} with neither a result nor an error")
        return answer["result"]

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    # ------------------------------------------------------------ plumbing

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        """This thread's connection, and whether it was used before (and may have gone stale)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            return connection, True
        kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        connection = kind(self._host, self._port, timeout=self.timeout)
        self._local.connection = connection
        return connection, False

    def _post(self, body: bytes) -> tuple[int, bytes]:
        while True:
            connection, reused = self._connection()
            try:
                connection.request("POST", self._path, body, self._headers)
                response = connection.getresponse()
                return response.status, response.read()
            except TimeoutError as exc:
                self.close()
                raise RpcTimeout(f"{self.url} did not answer within {self.timeout:.0f}s") from exc
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                self.close()
                if reused:  # the node closed a kept-alive connection: one more try on a new one
                    continue
                raise self._unreachable(exc) from exc
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise self._unreachable(exc) from exc

    def _unreachable(self, exc: Exception) -> ChainUnavailable:
        return ChainUnavailable(f"cannot reach the chain at {self.url}: {exc.__class__.__name__}")


def quantity(value: Any) -> int:
    """A JSON-RPC quantity (0x-hex) as an int; ints pass through."""
    return int(value, 16) if isinstance(value, str) else int(value)


def block_id(block: int | str) -> str:
    """A block number as a JSON-RPC block parameter (hex); tags ("latest", "finalized") as they are."""
    return hex(block) if isinstance(block, int) else block
