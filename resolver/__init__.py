"""The resolver: DID resolution (DIF Universal Resolver / W3C DID Resolution HTTP binding), the
trust list, status lists and peer-compatible trust APIs, read-only over projections' TrustViews."""

from resolver.app import create_app

__all__ = ["create_app"]
