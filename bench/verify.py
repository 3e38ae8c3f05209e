"""Presentation verification with the full trust decision against signature-only verification, one run.

One fresh Anvil; the verifier tests' hierarchy on it (root -> agency -> acme, accredited for
EmployeeCredential, acme's P-256 assertion key and a revocation and a suspension list; root ->
portal, the verifier), a LedgerService following the chain into SQLite views. The issuer signs
`--count` distinct credentials per format, each bound to the holder and presented over its own
nonce:
- dc+sd-jwt with every claim disclosed and a KB-JWT (ES256 issuer, ES256 holder);
- jwt_vc_json inside the holder's VP-JWT (holder did:jwk).

Rows, all in this process, each timed over every presentation, median of `--repeat` rounds:
- the full trust decision, api.verifier.decision.TrustDecision over ViewsTrustSource: both
  signatures, holder binding, nonce and audience, validity, the issuer and its ancestors in the
  registry and active, the key an assertion key at issuance, accreditation, both status bits;
- joserfc signature checks (api.credentials.keys.verify_jws) of the same JWTs with the key given:
  the issuer's JWS alone, then the issuer's and the holder's (VP-JWT or KB-JWT);
- didkit 0.3.3 verify_credential (baseline). didkit cannot resolve our registry's did:web DIDs
  offline, and it decodes VC Data Model 1.1 only, so its credentials carry the same jwt_vc_json
  subject, types, status and validity, signed by the same issuer key, but issued under that key's
  own did:key (or did:jwk), which didkit resolves offline, with the VCDM 1.1 context, issuanceDate
  / expirationDate and one credentialStatus object (the revocation entry). It checks one signature
  (resolving the did:key itself), no holder binding and no registry.

    python -m bench.verify [--count 500] [--repeat 5] [--profile] [--cpu-time] [--poll-interval S]

``--cpu-time`` times our rows by the timing thread's CPU time (``time.thread_time``) instead of the
wall clock: on a loaded machine the wall clock also counts the time the thread waits for a core.
didkit's rows stay wall-clock (its work runs on its own runtime's threads). Every row of ours
states both rates whichever clock it is judged by (``wall_per_second``, ``cpu_per_second``), and a
decision row what the follower took meanwhile: its thread's CPU time as a share of the row's wall
time, and how often the timing thread waited for the GIL or anything else (voluntary switches).

The follower polls at LedgerService's own interval, as `trust-ledger serve` runs it (``--poll-interval``
to try another: at 0.05 s its passes' GIL hand-overs cost the timing thread far more wall time
than the follower's own CPU time, bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import didkit
from rich.console import Console
from rich.table import Table

from anvil.accounts import dev_account
from anvil.devchain import ephemeral_chain
from api.credentials.dids import holder_did
from api.credentials.jwt_vc import create_vp_jwt, issue_jwt_vc
from api.credentials.keys import SigningKey, verify_jws
from api.credentials.sd_jwt import issue_sd_jwt_vc, present
from api.credentials.status import bitstring_status_entry, token_status_reference
from api.verifier.config import CredentialQuery
from api.verifier.decision import Binding, TrustDecision
from api.verifier.trust_source import ViewsTrustSource
from bench.profiling import print_profile, profile
from bench.results_dir import RESULTS
from trust_ledger.chain.follower import default_horizon
from trust_ledger.chain.gateway import TrustGateway
from trust_ledger.chain.rpc import JsonRpc
from trust_ledger.codecs import b64url_decode

ROOT = "did:web:anchor.bench"
AGENCY = "did:web:agency.bench"
ISSUER = "did:web:acme.bench"
VERIFIER = "did:web:portal.bench"
TARGET = "did:web:service.bench"
EMPLOYEE = "EmployeeCredential"
REVOCATION_URI = f"https://acme.bench/status/{EMPLOYEE}/r0"
SUSPENSION_URI = f"https://acme.bench/status/{EMPLOYEE}/s0"
SUBJECT = {"name": "林美", "employee_no": "E-042"}
LIST_SIZE = 131_072
VCDM1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
WARM_UP = 20
BASELINE = "didkit, jwt_vc_json, issuer did:key (baseline)"


def build_hierarchy(w3: Any, deployment: Any, issuer_key: SigningKey, verifier_key: SigningKey) -> int:
    """As tests/verifier/conftest.py build_hierarchy: the block of the last transaction."""

    def gateway(name: str) -> TrustGateway:
        return TrustGateway(JsonRpc(deployment.rpc_url), deployment, dev_account(name))

    anchor, agency, acme = gateway("anchor"), gateway("dev1"), gateway("dev2")
    anchor.register("root", "agency", AGENCY, dev_account("dev1").address)
    anchor.accredit(AGENCY, EMPLOYEE, [(TARGET, ["reader", "writer"])])
    agency.register(AGENCY, "acme", ISSUER, dev_account("dev2").address)
    agency.accredit(ISSUER, EMPLOYEE, [(TARGET, ["reader"])])
    acme.add_key(
        ISSUER, "key-1", "JsonWebKey2020", json.dumps(issuer_key.public_jwk).encode(), ["assertionMethod"]
    )
    acme.create_status_list(ISSUER, "revocation", REVOCATION_URI, LIST_SIZE)
    acme.create_status_list(ISSUER, "suspension", SUSPENSION_URI, LIST_SIZE)
    anchor.register("root", "portal", VERIFIER, dev_account("dev3").address)
    last = gateway("dev3").add_key(
        VERIFIER,
        "key-1",
        "JsonWebKey2020",
        json.dumps(verifier_key.public_jwk).encode(),
        ["authentication", "assertionMethod"],
    )
    return last.block_number


class Presentations:
    """The credentials and presentations of one run, `count` of each format."""

    def __init__(self, issuer_key: SigningKey, count: int):
        self.issuer_key = issuer_key
        self.holder = SigningKey.generate("P-256")
        self.holder_did = holder_did(self.holder.public_jwk, "jwk")[0]
        self.vp_signer = SigningKey.from_jwk(self.holder.private_jwk(), did=self.holder_did, key_id="0")
        self.audience = VERIFIER
        expires = int(time.time()) + 24 * 3600
        self.nonces = [uuid.uuid4().hex for _ in range(count)]
        self.sd_jwt_credentials = [
            issue_sd_jwt_vc(
                issuer_key,
                vct=EMPLOYEE,
                claims=SUBJECT,
                holder_jwk=self.holder.public_jwk,
                expires_at=expires,
                status=token_status_reference(i + 1, REVOCATION_URI),
                issuer_id=ISSUER,
            ).sd_jwt
            for i in range(count)
        ]
        self.jwt_vc_credentials = [
            issue_jwt_vc(
                issuer_key,
                holder_did=self.holder_did,
                types=[EMPLOYEE],
                credential_subject=SUBJECT,
                expires_at=expires,
                credential_status=[
                    bitstring_status_entry(i + 1, REVOCATION_URI, "revocation"),
                    bitstring_status_entry(i + 1, SUSPENSION_URI, "suspension"),
                ],
            )
            for i in range(count)
        ]
        self.sd_jwt: list[str] = []
        self.vp_jwt: list[str] = []

    def refresh(self) -> None:
        """Fresh holder proofs (a KB-JWT is accepted for 300 s after its iat)."""
        self.sd_jwt = [
            present(c, holder=self.holder, audience=self.audience, nonce=n)
            for c, n in zip(self.sd_jwt_credentials, self.nonces, strict=True)
        ]
        self.vp_jwt = [
            create_vp_jwt(self.vp_signer, [c], audience=self.audience, nonce=n)
            for c, n in zip(self.jwt_vc_credentials, self.nonces, strict=True)
        ]

    def didkit_credentials(self, method: str) -> list[str]:
        """The jwt_vc_json credentials' content, VCDM 1.1, issued under the issuer key's own did:key /
        did:jwk (what didkit resolves offline), signed by the same key."""
        did, kid = holder_did(self.issuer_key.public_jwk, method)
        signer = SigningKey.from_jwk(self.issuer_key.private_jwk(), did=did, key_id=kid.split("#", 1)[1])
        tokens = []
        for credential in self.jwt_vc_credentials:
            claims = json.loads(_segment(credential, 1))
            vc = claims["vc"]
            status = vc["credentialStatus"]
            vcdm1 = {
                "@context": [VCDM1_CONTEXT],
                "id": vc["id"],
                "type": vc["type"],
                "issuer": did,
                # our jwt_vc_json is VCDM 1.1 already (issue 16); a VCDM 2.0 body would name these
                # validFrom / validUntil
                "issuanceDate": vc.get("issuanceDate", vc.get("validFrom")),
                "expirationDate": vc.get("expirationDate", vc.get("validUntil")),
                "credentialSubject": vc["credentialSubject"],
                # didkit reads one status object: the revocation entry
                "credentialStatus": status[0] if isinstance(status, list) else status,
            }
            tokens.append(signer.sign({**claims, "iss": did, "vc": vcdm1}, {"typ": "JWT"}))
        return tokens


def _segment(token: str, index: int) -> bytes:
    return b64url_decode(token.split("~", 1)[0].split(".")[index])


def _issuer_jws(presentation: str) -> str:
    """The issuer-signed JWT in a presentation: before the first ~ (SD-JWT), or the VP's one VC."""
    if "~" in presentation:
        return presentation.split("~", 1)[0]
    return json.loads(_segment(presentation, 1))["vp"]["verifiableCredential"][0]


def _holder_jws(presentation: str) -> str:
    """The holder-signed JWT: the KB-JWT after the last ~, or the VP-JWT itself."""
    return presentation.rsplit("~", 1)[1] if "~" in presentation else presentation


def timed(
    items: list[Any],
    verify: Callable[[Any], Any],
    repeat: int,
    clock: Callable[[], float] = time.perf_counter,
    follower: threading.Thread | None = None,
) -> dict[str, float]:
    """Seconds per item by `clock`, median of `repeat` rounds over every item (after a warm-up on a
    few); beside it the rates by the wall clock and by this thread's CPU time, and with a `follower`
    thread its CPU time during the rounds as a share of their wall time and this thread's voluntary
    context switches (waits for the GIL, or for anything else) per second."""
    for item in items[:WARM_UP]:
        verify(item)
    follower_clock = time.pthread_getcpuclockid(follower.ident) if follower and follower.ident else None
    chosen, wall, cpu = [], [], []
    follower_cpu = switches = 0.0
    for _ in range(repeat):
        f0 = time.clock_gettime(follower_clock) if follower_clock is not None else 0.0
        s0 = resource.getrusage(resource.RUSAGE_THREAD).ru_nvcsw
        c0, w0, k0 = time.thread_time(), time.perf_counter(), clock()
        for item in items:
            verify(item)
        k1, w1, c1 = clock(), time.perf_counter(), time.thread_time()
        switches += resource.getrusage(resource.RUSAGE_THREAD).ru_nvcsw - s0
        if follower_clock is not None:
            follower_cpu += time.clock_gettime(follower_clock) - f0
        chosen.append((k1 - k0) / len(items))
        wall.append((w1 - w0) / len(items))
        cpu.append((c1 - c0) / len(items))
    per_item = statistics.median(chosen)
    row = {
        "per_second": 1 / per_item,
        "ms": per_item * 1e3,
        "wall_per_second": 1 / statistics.median(wall),
        "cpu_per_second": 1 / statistics.median(cpu),
        "count": len(items),
        "rounds": repeat,
    }
    if follower_clock is not None:
        elapsed = sum(wall) * len(items)
        row["follower_cpu_share"] = follower_cpu / elapsed
        row["voluntary_switches_per_second"] = switches / elapsed
    return row


def timed_didkit(tokens: list[str], repeat: int) -> dict[str, float]:
    """didkit's verify_credential is a coroutine on its own runtime: every call awaited in one loop."""
    options = json.dumps({"proofFormat": "jwt"})

    async def run() -> list[float]:
        for token in tokens[:WARM_UP]:
            await didkit.verify_credential(token, options)
        rounds = []
        for _ in range(repeat):
            started = time.perf_counter()
            for token in tokens:
                result = json.loads(await didkit.verify_credential(token, options))
                if result["errors"] or "JWS" not in result["checks"]:
                    raise SystemExit(f"didkit refused a credential: {result}")
            rounds.append((time.perf_counter() - started) / len(tokens))
        return rounds

    per_item = statistics.median(asyncio.run(run()))
    return {"per_second": 1 / per_item, "ms": per_item * 1e3, "count": len(tokens), "rounds": repeat}


def pin_to_one_core() -> int:
    """Run this thread, and every thread it starts from now on (didkit's runtime), on one core: the
    rates are per core. Anvil, started before, and the views' follower thread keep every core (moving
    them to the others made no difference but more cross-core GIL hand-overs: bench/README.md)."""
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return core


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500, help="presentations per format")
    parser.add_argument("--repeat", type=int, default=5, help="rounds per row (the median is reported)")
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile one round of each trust decision"
    )
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="time our rows by this thread's CPU time, not the wall clock (didkit's stay wall-clock)",
    )
    parser.add_argument(
        "--poll-interval",
        type=float,
        help="seconds between the follower's polls (default: LedgerService's own, as served)",
    )
    args = parser.parse_args()
    clock = time.thread_time if args.cpu_time else time.perf_counter
    console = Console(width=150)
    rows: dict[str, dict[str, float]] = {}
    profiles: dict[str, dict[str, Any]] = {}

    with tempfile.TemporaryDirectory() as directory, ephemeral_chain(ROOT) as (w3, deployment):
        os.environ["TRUST_LEDGER_VAR"] = directory
        for name in ("PERSISTENCE_MODULE", "TRUSTLEDGER_PERSISTENCE_MODULE"):
            os.environ.pop(name, None)
        from projections.service import LedgerService  # reads the environment set just above

        issuer_key = SigningKey.generate("P-256", did=ISSUER, key_id="key-1")
        verifier_key = SigningKey.generate("P-256", did=VERIFIER, key_id="key-1")
        console.print("building the hierarchy on chain and following it into the views ...")
        setup_block = build_hierarchy(w3, deployment, issuer_key, verifier_key)
        service = LedgerService.open(
            TrustGateway(JsonRpc(deployment.rpc_url), deployment), default_horizon(deployment.chain_id)
        )
        if args.poll_interval is not None:
            service.poll_interval = args.poll_interval
        service.start()
        try:
            service.wait_for_block(setup_block)
            assert service._thread is not None
            follower = service._thread
            core = pin_to_one_core()
            console.print(
                f"timing on core {core} (this thread and those it starts; Anvil and the follower, "
                f"polling every {service.poll_interval} s, keep their cores)"
            )
            decision = TrustDecision(ViewsTrustSource(service.views), clock=lambda: int(time.time()))
            console.print(f"issuing {args.count} credentials per format ...")
            made = Presentations(issuer_key, args.count)
            issuer_jwk = issuer_key.public_jwk
            holder_jwk = made.holder.public_jwk
            formats = (
                ("dc+sd-jwt + KB-JWT", "dc+sd-jwt", "KB-JWT"),
                ("jwt_vc_json in VP-JWT", "jwt_vc_json", "VP-JWT"),
            )
            for label, fmt, holder_part in formats:
                made.refresh()
                presentations = made.sd_jwt if fmt == "dc+sd-jwt" else made.vp_jwt
                query = CredentialQuery(id="employee", type=EMPLOYEE, format=fmt)
                pairs = list(zip(presentations, made.nonces, strict=True))

                def decide(pair: tuple[str, str], query: CredentialQuery = query) -> None:
                    trusted = decision.verify(pair[0], query, Binding(audience=VERIFIER, nonce=pair[1]))
                    assert trusted.issuer == ISSUER and trusted.status_checked

                console.print(f"timing {label} ...")
                rows[f"trust decision, {label}"] = timed(pairs, decide, args.repeat, clock, follower)
                if args.profile:
                    profiles[label] = profile(lambda pairs=pairs, decide=decide: [decide(p) for p in pairs])
                    print_profile(
                        console, f"trust decision, {label}, {len(pairs)} presentations", profiles[label]
                    )
                issuer_tokens = [_issuer_jws(p) for p in presentations]
                rows[f"joserfc, issuer JWS, {fmt}"] = timed(
                    issuer_tokens, lambda token: verify_jws(token, issuer_jwk), args.repeat, clock
                )
                both = [(_issuer_jws(p), _holder_jws(p)) for p in presentations]
                rows[f"joserfc, issuer JWS + {holder_part}, {fmt}"] = timed(
                    both,
                    lambda pair: (verify_jws(pair[0], issuer_jwk), verify_jws(pair[1], holder_jwk)),
                    args.repeat,
                    clock,
                )
            console.print("timing didkit ...")
            rows[BASELINE] = timed_didkit(made.didkit_credentials("key"), args.repeat)
            rows["didkit, jwt_vc_json, issuer did:jwk"] = timed_didkit(
                made.didkit_credentials("jwk"), args.repeat
            )
            block = service.views.freshness().block_number
            poll_interval = service.poll_interval
        finally:
            service.stop()

    baseline = rows[BASELINE]
    ordered = {BASELINE: baseline, **{k: v for k, v in rows.items() if k != BASELINE}}
    table = Table(title=f"presentation verification, {args.count} per format, median of {args.repeat}")
    for column in ("what", "per s", "ms each", "x didkit time"):
        table.add_column(column, justify="left" if column == "what" else "right")
    for name, row in ordered.items():
        table.add_row(
            name, f"{row['per_second']:,.0f}", f"{row['ms']:.3f}", f"{row['ms'] / baseline['ms']:.2f}"
        )
    console.print(table)
    console.print(
        "didkit 0.3.3 cannot resolve the registry's did:web DIDs offline and reads VCDM 1.1 only: its "
        "rows verify the same jwt_vc_json content, signed by the same issuer key, issued under that "
        "key's did:key / did:jwk with the VCDM 1.1 context; one signature, no holder binding, no registry."
    )

    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "verify",
        "count": args.count,
        "repeat": args.repeat,
        "one_core": "the timing thread pinned to one core (os.sched_setaffinity), Anvil and the "
        "follower thread not",
        "follower_poll_interval_s": poll_interval,
        "clock": "thread CPU time (didkit rows wall-clock)" if args.cpu_time else "wall clock",
        "profiles": profiles,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "didkit": didkit.get_version(),
        },
        "views_block": block,
        "rows": ordered,
        "ms_ratio_to_didkit": {name: row["ms"] / baseline["ms"] for name, row in ordered.items()},
        "notes": [
            "full trust decision: api.verifier.decision.TrustDecision over ViewsTrustSource (SQLite views "
            "followed from Anvil): issuer and holder signatures, nonce and audience, validity, issuer and "
            "ancestors registered and active, assertion key at issuance, accreditation, status bits",
            "joserfc: api.credentials.keys.verify_jws with the key given, no registry",
            "didkit 0.3.3 cannot resolve did:web offline and reads VCDM 1.1 only: the didkit rows verify the "
            "same jwt_vc_json content signed by the same issuer key, issued under its did:key / did:jwk "
            "with the VCDM 1.1 context (one signature, DID resolved by didkit, no holder binding)",
        ],
    }
    (RESULTS / "verify.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    console.print(f"written {RESULTS / 'verify.json'}")


if __name__ == "__main__":
    main()
