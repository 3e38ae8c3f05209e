"""The TW DIW profile as the official app and the official oid4vp-handler speak it.

- The request object's ``presentation_definition`` in the official shape (twdiw-verifier-api
  DwSandBoxVP401WService.generatePresentationDefinition): the first field of each input descriptor
  is ``$.type`` with ``{"type": "array", "contains": {"const": <credential type>}}``, then one
  ``$.credentialSubject.<field>`` per claim; descriptors in groups named by
  ``submission_requirements``. The official app reads exactly that (APPSDK openid_vc_vp.dart
  parsePresentationDefinition: ``fields[0].filter.contains.const`` is the card, the other paths
  after ``credentialSubject.`` the fields).
- The app presents one VP-JWT (api/credentials/twdiw_vp.py); ``credential_for`` picks the
  credential a query asked for out of it.
- The answer to the app's direct_post: the oid4vp-handler's ``{"code": 0, "message": "success"}``
  (AfterAuthorizationResponse), which the app requires (http_service.dart sendVP: ``code == 0``);
  a refusal carries the handler's code for it (common/OidvpErrorCode.java).
"""

from __future__ import annotations

from typing import Any

from api.credentials.sd_jwt import VerifiedSdJwt, twdiw_types
from api.verifier import reasons as r
from api.verifier.config import CredentialQuery, VerifierTemplate

GROUP = "Group_1"
SUCCESS = {"code": 0, "message": "success"}
OFFICIAL_CODES = {
    r.WALLET_ERROR: (2001, "authorization response return error"),
    "MALFORMED": (2002, "invalid vp token"),
    "NONCE_MISMATCH": (2005, "client_id or nonce is not the expect value"),
    "AUDIENCE_MISMATCH": (2005, "client_id or nonce is not the expect value"),
    r.TYPE_MISMATCH: (2006, "vc is not meet the criteria in the presentation_definition"),
    r.CLAIMS_NOT_DISCLOSED: (2006, "vc is not meet the criteria in the presentation_definition"),
    r.QUERY_UNANSWERED: (2013, "vc and presentation_submission do not match"),
}
"""Our reason code -> the oid4vp-handler's (OidvpError); anything else is 2004 "vp validate fail",
the handler's answer when the vp-handler refuses a presentation."""
VP_VALIDATE_FAIL = (2004, "vp validate fail")


def presentation_definition(template_ref: str, template: VerifierTemplate) -> dict[str, Any]:
    """The official verifier's presentation definition for a twdiw template."""
    return {
        "id": template_ref,
        "submission_requirements": [{"name": template.name or template_ref, "rule": "all", "from": GROUP}],
        "input_descriptors": [
            {
                "id": query.id,
                "name": query.type,
                "group": [GROUP],
                "constraints": {
                    "fields": [
                        {
                            "path": ["$.type"],
                            "filter": {"type": "array", "contains": {"const": query.vct_values[0]}},
                        },
                        *({"path": [f"$.credentialSubject.{claim.ename}"]} for claim in query.claims),
                    ],
                    "limit_disclosure": "required",
                },
            }
            for query in template.credentials
        ],
    }


def credential_for(query: CredentialQuery, credentials: list[VerifiedSdJwt]) -> int:
    """The index of the credential answering ``query`` in an app presentation: the first whose
    ``vc.type`` is one the query accepts, else the first (the type check then refuses it)."""
    for index, credential in enumerate(credentials):
        if set(twdiw_types(credential.claims)) & set(query.vct_values):
            return index
    return 0


def wallet_answer(template: VerifierTemplate, result: dict[str, Any]) -> dict[str, Any]:
    """The body answering a processed direct_post: ``{}`` (OID4VP 1.0 §8.2), or for a twdiw template
    the oid4vp-handler's ``{code, message}``: 0 when trusted, the handler's code for the first
    refusal otherwise (HTTP 200 all the same: the app treats any other code as a failure, as it
    treats the handler's 400/500)."""
    if template.profile != "twdiw":
        return {}
    if result.get("verifyResult"):
        return dict(SUCCESS)
    reasons = result.get("reasons") or [{}]
    reason = reasons[0].get("code", "")
    code, message = OFFICIAL_CODES.get(reason, VP_VALIDATE_FAIL)
    return {"code": code, "message": f"{message}: {result.get('resultDescription', '')}".rstrip(": ")}
