"""The explorer: a static page over the resolver's JSON APIs, with issuer and verifier demos."""

from api.explorer.app import EXPLORER_PREFIX, create_explorer_app, resolver_with_explorer, under_prefix

__all__ = ["EXPLORER_PREFIX", "create_explorer_app", "resolver_with_explorer", "under_prefix"]
