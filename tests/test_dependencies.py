"""One home per app family for the FastAPI context dependency: api/dependencies.py (issuer, verifier)
and resolver/context.py (resolver). Routes declare `ctx: IssuerCtx` (or VerifierCtx, or
Annotated[Context, Depends(get_context)]); nothing else reads the context off `app.state`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTEXTS = {"issuer", "verifier", "trust_ledger"}
HOMES = {ROOT / "api" / "dependencies.py", ROOT / "resolver" / "context.py"}


def _context_reads(path: Path) -> list[str]:
    """`<something>.state.<context>` read (not assigned: the apps store their context) in `path`."""
    tree = ast.parse(path.read_text())
    reads = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in CONTEXTS
            and isinstance(node.ctx, ast.Load)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "state"
        ):
            reads.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return reads


def test_only_the_dependency_modules_read_a_context_off_the_app() -> None:
    reads = [
        read
        for package in ("api", "resolver")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path not in HOMES
        for read in _context_reads(path)
    ]
    assert reads == [], "use api.dependencies.IssuerCtx / VerifierCtx or resolver.context.get_context"
    assert all(_context_reads(home) for home in HOMES), "the check finds the homes' own reads"
