"""May this issuer issue this credential type now? Read from the trust views only, and only from
fresh ones (projections.trust_freshness): halted or stale views refuse issuing (fail closed)."""

from __future__ import annotations

from api.issuer.config import RoleGrant
from api.issuer.errors import (
    DID_NOT_REGISTERED,
    INTERNAL,
    TEMPLATE_NOT_ISSUED,
    UNSUPPORTED_KIND,
    IssuanceRefused,
)
from projections.api import TrustViews
from projections.trust_freshness import TRUST_DATA_STALE, FreshnessBounds, judge_live_views


def check_may_issue(
    views: TrustViews,
    did: str,
    credential_type: str,
    now: int,
    roles: list[RoleGrant] = (),
    freshness: FreshnessBounds | None = None,
) -> None:
    """Raise IssuanceRefused unless the views are fresh within `freshness` (else 59999, 503, the
    message starting with TRUST_DATA_STALE), `did` and all its ancestors are active and `did` holds
    a current accreditation for `credential_type` (valid_from/valid_until, 0 = unbounded) that
    covers every role the credential grants."""
    verdict = judge_live_views(views, freshness or FreshnessBounds())
    if verdict.stale:
        raise IssuanceRefused(
            INTERNAL,
            f"{TRUST_DATA_STALE}: issuing is refused, the trust data is stale: {verdict.reason}",
            503,
        )
    status = views.effective_status(did)
    version = views.entity_version(did)
    if status is None or version is None:
        raise IssuanceRefused(
            DID_NOT_REGISTERED, f"the issuer {did} is not registered in the trust registry", 403
        )
    if status.status != "active":
        cause = f" because {status.because_of} is {status.status}" if status.because_of else ""
        raise IssuanceRefused(
            TEMPLATE_NOT_ISSUED,
            f"the issuer {did} is not active ({status.status}{cause}): issuing is refused",
            403,
        )
    accreditation = (version.state.get("accreditations") or {}).get(credential_type)
    if accreditation is None:
        raise IssuanceRefused(
            UNSUPPORTED_KIND, f"the issuer {did} is not accredited for {credential_type}", 403
        )
    valid_from = accreditation.get("valid_from") or 0
    valid_until = accreditation.get("valid_until") or 0
    if now < valid_from or (valid_until and now >= valid_until):
        raise IssuanceRefused(
            UNSUPPORTED_KIND, f"the issuer's accreditation for {credential_type} is not valid now", 403
        )
    accredited: dict[str, set[str]] = {}
    for grant in accreditation.get("roles") or []:
        accredited.setdefault(grant["target"], set()).update(grant["names"])
    for grant in roles:
        beyond = set(grant.names) - accredited.get(grant.target, set())
        if beyond:
            raise IssuanceRefused(
                UNSUPPORTED_KIND,
                f"the issuer {did} is not accredited to grant {sorted(beyond)} for {grant.target}",
                403,
            )
