"""The data-space scenario of DESIGN.md (DSBA/FIWARE packet delivery): PacketDelivery's delivery orders
behind a Policy Enforcement Point.

``policy`` holds the policy table (which role for ``did:elsi:EU.EORI.NLPACKETDEL`` allows which method
on which NGSI-LD path and attribute) and a pure ``decide``; ``orders`` is the in-memory DELIVERYORDER
store; ``pep`` is the FastAPI app that checks the verifier's RFC 9068 access token, applies the policy
and answers NGSI-LD ProblemDetails.
"""
