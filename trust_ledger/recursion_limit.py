"""Undo py_ecc's import-time ``sys.setrecursionlimit(100000)``.

web3 and eth_account import ``py_ecc``, whose package ``__init__`` raises the interpreter's recursion
limit to 100,000 for everyone. CPython's C JSON decoder (and every other C recursion guarded by the
limit) then overflows the C stack long before the limit is reached: one body of 100,000 ``[``
segfaults the whole process instead of raising ``RecursionError``. Nothing this project calls in
py_ecc needs deep recursion, so the limit goes back to what it was (at most CPython's default).

``trust_ledger/__init__.py`` imports this first, so every module of the package (and so every path
to web3 and eth_account here: ``trust_ledger.chain``, the CLI) runs after it. py_ecc's module code
runs once per process; once this has run, no later import of web3 can raise the limit again.
"""

from __future__ import annotations

import sys

DEFAULT_RECURSION_LIMIT = 1000
"""CPython's default, which its C recursion (json, pickle, repr) is sized for."""


def restore_recursion_limit() -> int:
    """Import py_ecc (if nothing has yet) and put the recursion limit back; the limit now in force."""
    before = DEFAULT_RECURSION_LIMIT if "py_ecc" in sys.modules else sys.getrecursionlimit()
    import py_ecc  # noqa: F401  (its __init__ raises the limit; it must run before the reset)

    sys.setrecursionlimit(min(before, DEFAULT_RECURSION_LIMIT))
    return sys.getrecursionlimit()


restore_recursion_limit()
