"""Size of a published 131,072-entry status list per encoding, and the time to check one index.

Lists with 0.1 %, 1 % and 10 % of entries set (uniformly random, seeded) are encoded with
api/status/encodings.py exactly as we publish them: W3C Bitstring Status List `encodedList`
(GZIP, multibase base64url), IETF Token Status List `lst` (ZLIB, base64url, LSB-first) and TW DIW
StatusList2021 `encodedList` (GZIP, Base64). Baselines, measured in the same run:
- size: the raw bitstring, 16,384 bytes (ratios are encoded size / raw size);
- time: reading one bit from the raw bytes. The other rows decode the published list and read
  a bit, or read a bit from a list already decoded, or from a status-list view
  (projections.api.StatusListVersion) held in memory.
Times are medians of --repeat samples (time.perf_counter), each sample a loop of checks at
random indices; every row, the baseline too, pays the same loop and one Python call per check.

    python -m bench.status_size [--seed 8] [--repeat 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from api.status.encodings import (
    bit,
    bitstring_with,
    decode_ietf,
    decode_twdiw,
    decode_w3c,
    encode_ietf,
    encode_twdiw,
    encode_w3c,
)
from bench.results_dir import RESULTS
from projections.api import StatusListVersion

LIST_SIZE = 131_072
DENSITIES = {"0.1 %": 0.001, "1 %": 0.01, "10 %": 0.1}
ENCODINGS: dict[str, tuple[Callable[[bytes], str], Callable[[str], bytes]]] = {
    "W3C Bitstring Status List (GZIP, multibase base64url)": (encode_w3c, decode_w3c),
    "IETF Token Status List (ZLIB, base64url)": (encode_ietf, decode_ietf),
    "StatusList2021 / TW DIW (GZIP, Base64)": (encode_twdiw, decode_twdiw),
}
RAW_SIZE = "raw bitstring (baseline)"
RAW_READ = "read one bit from the raw bytes (baseline)"
READS_PER_SAMPLE = 1_000
DECODES_PER_SAMPLE = 5


def median_seconds_per_check(check: Callable[[int], object], indices: list[int], repeat: int) -> float:
    """Median seconds of one `check(index)`, over `repeat` samples that each time all `indices`."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        for index in indices:
            check(index)
        samples.append((time.perf_counter() - started) / len(indices))
    return statistics.median(samples)


def status_view(bitstring: bytes) -> StatusListVersion:
    """A status-list view as projections hand it to the resolver and the issuer, in memory."""
    return StatusListVersion(
        list_id=1,
        owner_did="did:example:bench-issuer",
        purpose="revocation",
        size=LIST_SIZE,
        uri="https://issuer.example/status/1",
        bitstring=bitstring,
        block_number=1,
        block_time=0,
        tx_hash="0x" + "00" * 32,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=1_000)
    args = parser.parse_args()
    console = Console()
    rng = random.Random(args.seed)

    sizes: dict[str, dict[str, int]] = {RAW_SIZE: {}}
    sizes.update({name: {} for name in ENCODINGS})
    seconds: dict[str, dict[str, float]] = {}
    set_counts: dict[str, int] = {}
    for density, fraction in DENSITIES.items():
        set_counts[density] = round(LIST_SIZE * fraction)
        raw = bitstring_with(LIST_SIZE, rng.sample(range(LIST_SIZE), set_counts[density]))
        sizes[RAW_SIZE][density] = len(raw)
        reads = [rng.randrange(LIST_SIZE) for _ in range(READS_PER_SAMPLE)]
        decodes = reads[:DECODES_PER_SAMPLE]

        def measure(row: str, check: Callable[[int], object], indices: list[int], density: str = density):
            seconds.setdefault(row, {})[density] = median_seconds_per_check(check, indices, args.repeat)

        measure(RAW_READ, lambda i, raw=raw: (raw[i >> 3] >> (7 - (i & 7))) & 1, reads)
        measure("encodings.bit on an already decoded list", lambda i, raw=raw: bit(raw, i), reads)
        view = status_view(raw)
        measure(
            "encodings.bit on a StatusListVersion view", lambda i, view=view: bit(view.bitstring, i), reads
        )
        for name, (encode, decode) in ENCODINGS.items():
            published = encode(raw)
            assert decode(published) == raw, f"{name} does not round-trip"
            sizes[name][density] = len(published.encode("ascii"))
            measure(
                f"decode {name.split(' (')[0]} + read one bit",
                lambda i, decode=decode, published=published: bit(decode(published), i),
                decodes,
            )

    size_table = Table(title=f"encoded size of a {LIST_SIZE:,}-entry list, bytes (size / raw)")
    size_table.add_column("encoding")
    for density in DENSITIES:
        size_table.add_column(f"{density} set ({set_counts[density]:,})", justify="right")
    for name, row in sizes.items():
        size_table.add_row(name, *(f"{row[d]:,} ({row[d] / sizes[RAW_SIZE][d]:.3f})" for d in DENSITIES))
    console.print(size_table)

    time_table = Table(title=f"time to check one index, median of {args.repeat:,} samples, µs (x raw read)")
    time_table.add_column("check")
    for density in DENSITIES:
        time_table.add_column(f"{density} set", justify="right")
    for name, row in seconds.items():
        time_table.add_row(
            name, *(f"{row[d] * 1e6:,.3f} ({row[d] / seconds[RAW_READ][d]:,.1f})" for d in DENSITIES)
        )
    console.print(time_table)

    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "status_size",
        "seed": args.seed,
        "repeat": args.repeat,
        "list_size": LIST_SIZE,
        "entries_set": set_counts,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "encoded_bytes": sizes,
        "ratio_to_raw_size": {
            name: {d: row[d] / sizes[RAW_SIZE][d] for d in DENSITIES} for name, row in sizes.items()
        },
        "seconds_per_check": seconds,
        "ratio_to_raw_read": {
            name: {d: row[d] / seconds[RAW_READ][d] for d in DENSITIES} for name, row in seconds.items()
        },
    }
    (RESULTS / "status_size.json").write_text(json.dumps(report, indent=2) + "\n")
    console.print(f"written {RESULTS / 'status_size.json'}")


if __name__ == "__main__":
    main()
