"""May this issuer issue this credential type now? Read from the trust views only, and only from
fresh ones (projections.trust_freshness): halted or stale views refuse issuing (fail closed). The
decision itself is the accreditation rule the verifier applies (projections.accreditation), at the
time of issuing, so the issuer never issues what a verifier would refuse as not accredited."""

from __future__ import annotations

from collections.abc import Sequence

from api.issuer.config import RoleGrant
from api.issuer.errors import (
    DID_NOT_REGISTERED,
    INTERNAL,
    TEMPLATE_NOT_ISSUED,
    UNSUPPORTED_KIND,
    IssuanceRefused,
)
from projections import accreditation
from projections.api import TrustViews
from projections.trust_freshness import TRUST_DATA_STALE, FreshnessBounds, judge_live_views

DIW_CODE_OF_REASON = {
    accreditation.ISSUER_UNKNOWN: DID_NOT_REGISTERED,
    accreditation.ISSUER_NOT_ACTIVE: TEMPLATE_NOT_ISSUED,
    accreditation.ANCESTOR_NOT_ACTIVE: TEMPLATE_NOT_ISSUED,
    accreditation.DID_CONTROL_UNPROVEN: DID_NOT_REGISTERED,  # claimed, not validly registered
    accreditation.NOT_ACCREDITED: UNSUPPORTED_KIND,
    accreditation.ROLE_NOT_ACCREDITED: UNSUPPORTED_KIND,
}
"""The TW DIW code (all answered 403) for each reason of the accreditation rule."""


def check_may_issue(
    views: TrustViews,
    did: str,
    credential_type: str,
    now: int,
    roles: Sequence[RoleGrant] = (),
    freshness: FreshnessBounds | None = None,
) -> None:
    """Raise IssuanceRefused unless the views are fresh within `freshness` (else 59999, 503, the
    message starting with TRUST_DATA_STALE) and the accreditation rule allows `did` to vouch for
    `credential_type` and every role the credential grants at `now` (else 403 with the code of
    DIW_CODE_OF_REASON, the message starting with the rule's reason code, as the verifier's)."""
    verdict = judge_live_views(views, freshness or FreshnessBounds())
    if verdict.stale:
        raise IssuanceRefused(
            INTERNAL,
            f"{TRUST_DATA_STALE}: issuing is refused, the trust data is stale: {verdict.reason}",
            503,
        )
    refused = accreditation.refusal(
        did,
        credential_type,
        now,
        status=views.effective_status(did),
        lookup=lambda entity_did: accreditation.record_from_views(views, entity_did),
        roles=[accreditation.RoleGrant.of(grant.target, grant.names) for grant in roles],
    )
    if refused is not None:
        raise IssuanceRefused(
            DIW_CODE_OF_REASON[refused.reason],
            f"{refused.reason}: {refused.message}: issuing is refused",
            403,
        )
