"""Tables created once when processes start together on one PostgreSQL.

eventsourcing creates its tables (and the views') with `CREATE ... IF NOT EXISTS` when a recorder is
built. Two processes doing that at the same instant on PostgreSQL collide in the catalogue ("tuple
concurrently updated", a unique violation in pg_type) and the loser exits: replicas started together
(a deployment, two machines booting) crashed. `creating_tables(factory)` holds a session advisory
lock, keyed by the schema, on a connection of its own (a pooled one would go back to the pool with
the lock) while the recorder is built, so the creators take turns. SQLite needs none: one file, whose
write lock already orders them.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from typing import Any

CONNECT_TIMEOUT = 10
"""Seconds to reach PostgreSQL for the lock; the lock itself is waited for as long as creation takes."""


def advisory_key(text: str) -> int:
    """A signed 64-bit PostgreSQL advisory lock key for `text`."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


@contextlib.contextmanager
def creating_tables(factory: Any) -> Iterator[None]:
    """Hold the schema's table-creation lock while the body builds recorders from `factory` (an
    eventsourcing InfrastructureFactory); nothing for a factory that is not PostgreSQL's."""
    from eventsourcing.postgres import PostgresFactory  # psycopg only where PostgreSQL is used

    if not isinstance(factory, PostgresFactory):
        yield
        return
    import psycopg

    datastore = factory.datastore
    kwargs = datastore.pool.kwargs
    assert isinstance(kwargs, dict)  # PostgresDatastore gives its pool the connection settings as a dict
    connect = {k: v for k, v in kwargs.items() if k != "row_factory"}
    key = advisory_key(f"trust-ledger tables {datastore.schema}")
    with psycopg.connect(**connect, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (key,))
        yield  # closing the connection releases the lock, also when the body raises
