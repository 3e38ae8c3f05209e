// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Trust registry: a hierarchy of accredited entities under one trust anchor
/// @notice The deployer's root node (bytes32(0)) is the trust anchor. Only the controller
/// of a parent registers, accredits and changes the status of its children; an entity
/// manages its own controller, keys and service endpoints. Node ids are derived as in
/// ENS: node = keccak256(abi.encodePacked(parentNode, keccak256(bytes(label)))).
/// Every real state change emits exactly one event; a no-op emits none.
interface ITrustRegistry {
    /// @notice Lifecycle of an entity. `None` marks a node that was never registered.
    enum EntityStatus {
        None,
        Active,
        Suspended,
        Revoked
    }

    /// @notice Why a verification method was revoked, named after RFC 5280 CRLReason (the reasons
    /// OpenID Federation 1.0's JWK `revoked` member uses). `Unspecified` and `Superseded` retire a key
    /// (a rotation): what it signed while it was valid stays valid. `Compromised` says the private key
    /// is (or may be) in other hands since `compromisedSince`: the signer picks every date it signs,
    /// so no signature by the key can be dated by itself, and verifiers refuse all of them
    /// (api/verifier/README.md, KEY_COMPROMISED).
    enum KeyRevocationReason {
        Unspecified,
        Superseded,
        Compromised
    }

    /// @notice The proof of control a registration carries, decided by the DID's method (DidControl).
    /// `None`: the method gives nothing to check (did:elsi, did:example, ...), the parent vouches;
    /// `Secp256k1`: did:ethr (address form) and did:pkh:eip155, a signature checked on chain;
    /// `Signature`: did:key, did:jwk and the other did:ethr / did:pkh forms, a signature the
    /// registering tool and the parent check and the contract records for anyone to check again;
    /// `WebChallenge`: did:web, the registration digest the domain publishes at
    /// https://<host>/.well-known/trust-ledger-registration.txt (or beside the did.json of a did:web
    /// with a path), checked by the registering tool and recorded.
    enum DidProofKind {
        None,
        Secp256k1,
        Signature,
        WebChallenge
    }

    /// @notice Roles an entity may grant for one target, e.g. a service provider's DID.
    /// @param target DID of the party whose roles these are
    /// @param names role names, e.g. "P.Info.gold"
    struct RoleGrant {
        string target;
        string[] names;
    }

    /// @notice Stored state of an entity.
    /// @param parent node of the parent (bytes32(0) for the root and its children)
    /// @param controller address allowed to act for the entity
    /// @param status lifecycle status set by the parent
    /// @param did the entity's DID, unique across the registry
    struct Entity {
        bytes32 parent;
        address controller;
        EntityStatus status;
        string did;
    }

    /// @notice Stored metadata of an accreditation (the role list lives in the events).
    /// @param exists whether the accreditation is currently held
    /// @param version bumped on every change; scopes the stored role set
    /// @param validFrom start of validity, unix seconds
    /// @param validUntil end of validity, unix seconds, 0 for open-ended
    struct Accreditation {
        bool exists;
        uint32 version;
        uint64 validFrom;
        uint64 validUntil;
        bytes32 contentHash;
    }

    /// @notice Stored metadata of a verification method (its material lives in the events).
    /// @param exists whether the key id was ever added
    /// @param revoked whether the key has been revoked (final)
    /// @param purposes bit set of verification relationships, see the PURPOSE_* constants
    /// @param validFrom start of validity, unix seconds
    /// @param validUntil end of validity, unix seconds, 0 for open-ended
    /// @param revocationReason why it was revoked (Unspecified while not revoked)
    /// @param compromisedSince for a Compromised key, the time (unix seconds) since which its controller
    /// says it is compromised; 0 otherwise
    /// @param materialHash keccak256 of keyType and public key bytes as emitted in KeyAdded
    /// @dev Everything but materialHash shares one storage slot (28 bytes), so a revocation writes one slot.
    struct Key {
        bool exists;
        bool revoked;
        uint8 purposes;
        uint64 validFrom;
        uint64 validUntil;
        KeyRevocationReason revocationReason;
        uint64 compromisedSince;
        bytes32 materialHash;
    }

    // ------------------------------------------------------------------ events

    /// @notice An entity was registered under its parent.
    /// @param node the new entity's node id
    /// @param parent the parent's node id (bytes32(0) for the root itself and its children)
    /// @param label the DNS-like label, empty for the root
    /// @param did the entity's DID
    /// @param controller the entity's first controller
    /// @param proofKind the proof of control the DID's method allows (None for the root)
    /// @param proofExpiry the last second the proof was valid for (0 with no proof)
    /// @param proof the proof as given: a signature of registrationDigest, or for did:web the digest
    /// @param by the address that registered it (the parent's controller, or the deployer for the root)
    event EntityRegistered(
        bytes32 indexed node,
        bytes32 indexed parent,
        string label,
        string did,
        address controller,
        DidProofKind proofKind,
        uint64 proofExpiry,
        bytes proof,
        address by
    );

    /// @notice An ancestor released the DID of a descendant that is not active (it, or an entity
    /// between it and the ancestor, is suspended or revoked), so the DID can be registered again. The
    /// descendant keeps its node, status and history, and has no DID from now on.
    /// @param node the descendant that held the DID
    /// @param ancestor the ancestor whose controller released it
    /// @param did the DID released
    /// @param by the ancestor's controller
    event DidReleased(bytes32 indexed node, bytes32 indexed ancestor, string did, address by);

    /// @notice An entity handed control to a new address.
    /// @param node the entity
    /// @param previousController the controller before the change
    /// @param newController the controller after the change
    /// @param by the address that made the change
    event EntityControllerChanged(bytes32 indexed node, address previousController, address newController, address by);

    /// @notice A parent changed the status of its child.
    /// @param node the child
    /// @param previousStatus status before the change
    /// @param newStatus status after the change
    /// @param by the parent's controller that made the change
    event EntityStatusChanged(bytes32 indexed node, EntityStatus previousStatus, EntityStatus newStatus, address by);

    /// @notice A parent granted (or replaced) an accreditation of its child for one credential type.
    /// @param node the accredited entity
    /// @param credentialTypeHash keccak256 of the credential type
    /// @param credentialType the credential type the entity may issue, e.g. "CustomerCredential"
    /// @param roles roles the entity may grant in credentials of that type, per target
    /// @param validFrom start of validity, unix seconds
    /// @param validUntil end of validity, unix seconds, 0 for open-ended
    /// @param by the parent's controller that granted it
    event EntityAccredited(
        bytes32 indexed node,
        bytes32 indexed credentialTypeHash,
        string credentialType,
        RoleGrant[] roles,
        uint64 validFrom,
        uint64 validUntil,
        address by
    );

    /// @notice A parent withdrew an accreditation from its child.
    /// @param node the entity
    /// @param credentialTypeHash keccak256 of the credential type
    /// @param credentialType the credential type withdrawn
    /// @param by the parent's controller that withdrew it
    event AccreditationWithdrawn(
        bytes32 indexed node, bytes32 indexed credentialTypeHash, string credentialType, address by
    );

    /// @notice An entity added a verification method.
    /// @param node the entity
    /// @param keyId the verification method's fragment, e.g. "key-1"
    /// @param keyType verification method type: "JsonWebKey2020" (publicKey is UTF-8 JWK JSON)
    /// or "Multikey" (publicKey is the multicodec-prefixed raw key)
    /// @param publicKey the public key material, encoded as keyType says
    /// @param purposes bit set of verification relationships
    /// @param validFrom start of validity, unix seconds
    /// @param validUntil end of validity, unix seconds, 0 for open-ended
    /// @param by the entity's controller
    event KeyAdded(
        bytes32 indexed node,
        string keyId,
        string keyType,
        bytes publicKey,
        uint8 purposes,
        uint64 validFrom,
        uint64 validUntil,
        address by
    );

    /// @notice An entity revoked a verification method; revocation is final. Emitted again only when
    /// a revoked key is declared compromised later, or compromised since an earlier time (see revokeKey).
    /// @param node the entity
    /// @param keyId the verification method's fragment
    /// @param reason why: Unspecified or Superseded (a rotation) or Compromised
    /// @param compromisedSince for Compromised, since when (unix seconds, set by the controller); else 0
    /// @param by the entity's controller
    event KeyRevoked(
        bytes32 indexed node, string keyId, KeyRevocationReason reason, uint64 compromisedSince, address by
    );

    /// @notice An entity added a service endpoint.
    /// @param node the entity
    /// @param serviceId the service's fragment, e.g. "issuer"
    /// @param serviceType the service type, e.g. "OID4VCI"
    /// @param endpoint the service endpoint URI
    /// @param by the entity's controller
    event ServiceAdded(bytes32 indexed node, string serviceId, string serviceType, string endpoint, address by);

    /// @notice An entity removed a service endpoint.
    /// @param node the entity
    /// @param serviceId the service's fragment
    /// @param by the entity's controller
    event ServiceRemoved(bytes32 indexed node, string serviceId, address by);

    // ------------------------------------------------------------------ errors

    /// @notice `caller` is not the controller of `node`, whose controller must act here.
    error TrustRegistry__NotController(bytes32 node, address caller);
    /// @notice `node` was never registered.
    error TrustRegistry__UnknownEntity(bytes32 node);
    /// @notice `node` is already registered (its label is taken under that parent).
    error TrustRegistry__EntityExists(bytes32 node, string label);
    /// @notice `label` is not 1..63 bytes of lowercase a-z, 0-9, '-' or '_'.
    error TrustRegistry__InvalidLabel(string label);
    /// @notice `did` is not a DID as DID Core 1.0 §3.1 spells it (see Grammar.didFault), or is
    /// longer than 256 bytes. `at` is the offset of the first byte that breaks the grammar, the
    /// length when the value ends too early, or 256 when it is too long.
    error TrustRegistry__InvalidDid(string did, uint256 at);
    /// @notice `parent` already sits MAX_DEPTH levels below the trust anchor, so it cannot have children.
    error TrustRegistry__DepthExceeded(bytes32 parent, uint256 maxDepth);
    /// @notice `did` is already the DID of `node`.
    error TrustRegistry__DidTaken(string did, bytes32 node);
    /// @notice The controller address must not be zero.
    error TrustRegistry__ZeroController();
    /// @notice `proof` is not a proof of control of `did` for this registration: for Secp256k1, not a
    /// low-s signature of registrationDigest by the DID's address; for Signature, empty or longer than
    /// 512 bytes; for WebChallenge, not the 32-byte digest; for None, not empty (with expiry 0).
    error TrustRegistry__InvalidDidProof(string did, DidProofKind kind);
    /// @notice The proof of control was valid until `expiry`, before this block's time `blockTime`.
    error TrustRegistry__DidProofExpired(uint64 expiry, uint64 blockTime);
    /// @notice `ancestor` is not an ancestor of `node` (nor may a node release its own DID).
    error TrustRegistry__NotAncestor(bytes32 ancestor, bytes32 node);
    /// @notice `node` and every entity between it and `ancestor` are active: a DID is released only
    /// from a descendant that is revoked or suspended (disputed), or under one that is.
    error TrustRegistry__HolderActive(bytes32 node, bytes32 ancestor);
    /// @notice `node` holds no DID (never registered, the root, or already released).
    error TrustRegistry__NoDid(bytes32 node);
    /// @notice `node` (the acting entity or one of its ancestors) has status `status`, not Active.
    error TrustRegistry__NotActive(bytes32 node, EntityStatus status);
    /// @notice `node` is revoked; revocation is final.
    error TrustRegistry__EntityRevoked(bytes32 node);
    /// @notice The requested status is not Active, Suspended or Revoked.
    error TrustRegistry__InvalidStatus(EntityStatus status);
    /// @notice The root has no parent, so nobody can set its status or accreditations.
    error TrustRegistry__RootHasNoParent();
    /// @notice `credentialType` is not 1..128 bytes of A-Z a-z 0-9 and `. _ : / # ? = & % ~ + -`.
    /// `at` as in TrustRegistry__InvalidDid (128 when too long).
    error TrustRegistry__InvalidCredentialType(string credentialType, uint256 at);
    /// @notice The role target `target` is not a DID (same grammar and `at` as TrustRegistry__InvalidDid).
    error TrustRegistry__InvalidRoleTarget(string target, uint256 at);
    /// @notice The role name `role` is not 1..64 bytes of A-Z a-z 0-9 and `. _ : -`.
    /// `at` as in TrustRegistry__InvalidDid (64 when too long).
    error TrustRegistry__InvalidRoleName(string role, uint256 at);
    /// @notice The validity window is empty: `validUntil` is not 0 and not after `validFrom`.
    error TrustRegistry__InvalidValidity(uint64 validFrom, uint64 validUntil);
    /// @notice The parent `parent` does not hold `credentialType` itself, so cannot hand it down.
    error TrustRegistry__TypeNotHeldByParent(bytes32 parent, string credentialType);
    /// @notice The requested window exceeds the parent's window for `credentialType`.
    error TrustRegistry__ValidityExceedsParent(
        bytes32 parent, string credentialType, uint64 parentValidFrom, uint64 parentValidUntil
    );
    /// @notice The parent `parent` may not grant `role` for `target` in `credentialType` itself.
    error TrustRegistry__RoleNotHeldByParent(bytes32 parent, string credentialType, string target, string role);
    /// @notice `node` holds no accreditation for `credentialType`.
    error TrustRegistry__NotAccredited(bytes32 node, string credentialType);
    /// @notice `keyId` is not a fragment of 1..64 bytes of A-Z a-z 0-9 and `. _ -`.
    /// `at` as in TrustRegistry__InvalidDid (64 when too long).
    error TrustRegistry__InvalidKeyId(string keyId, uint256 at);
    /// @notice `keyType` is not 1..64 bytes of A-Z a-z 0-9 (e.g. "JsonWebKey2020", "Multikey").
    /// `at` as in TrustRegistry__InvalidDid (64 when too long).
    error TrustRegistry__InvalidKeyType(string keyType, uint256 at);
    /// @notice The public key of `keyId` is empty.
    error TrustRegistry__EmptyPublicKey(string keyId);
    /// @notice `purposes` must be a non-empty subset of the five verification relationships.
    error TrustRegistry__InvalidKeyPurposes(uint8 purposes);
    /// @notice The key type and the public key must both be non-empty.
    /// @notice `node` already has (or had) a key `keyId`; key ids are never reused.
    error TrustRegistry__KeyExists(bytes32 node, string keyId);
    /// @notice `node` has no key `keyId`.
    error TrustRegistry__UnknownKey(bytes32 node, string keyId);
    /// @notice The key `keyId` of `node` is already revoked, and this revocation would not widen it
    /// (only a later declaration of compromise, or of an earlier compromise time, may follow one).
    error TrustRegistry__KeyAlreadyRevoked(bytes32 node, string keyId);
    /// @notice `compromisedSince` does not fit `reason`: a Compromised revocation needs a time in
    /// 1..`blockTime` (the compromise cannot start in the future), any other reason needs 0.
    error TrustRegistry__InvalidCompromiseTime(KeyRevocationReason reason, uint64 compromisedSince, uint64 blockTime);
    /// @notice `serviceId` is not a fragment of 1..64 bytes of A-Z a-z 0-9 and `. _ -`.
    /// `at` as in TrustRegistry__InvalidDid (64 when too long).
    error TrustRegistry__InvalidServiceId(string serviceId, uint256 at);
    /// @notice `serviceType` is not 1..64 bytes of A-Z a-z 0-9 and `. _ : / -`.
    /// `at` as in TrustRegistry__InvalidDid (64 when too long).
    error TrustRegistry__InvalidServiceType(string serviceType, uint256 at);
    /// @notice `endpoint` is not a URI of 1..512 bytes (see Grammar.uriFault).
    /// `at` as in TrustRegistry__InvalidDid (512 when too long).
    error TrustRegistry__InvalidServiceEndpoint(string endpoint, uint256 at);
    /// @notice `node` already has a service `serviceId`.
    error TrustRegistry__ServiceExists(bytes32 node, string serviceId);
    /// @notice `node` has no service `serviceId`.
    error TrustRegistry__UnknownService(bytes32 node, string serviceId);

    // ------------------------------------------------------------------ writes

    /// @notice Register a child of `parent` under `label`; only the parent's controller may, and only
    /// with the proof of control the DID's method allows (DidProofKind, DidControl).
    /// @dev The parent and all its ancestors must be Active, and the child at most MAX_DEPTH
    /// levels below the anchor. The proof binds this registry, the chain, `parent`, `label`, `did`,
    /// `controller` and `proofExpiry` (registrationDigest), so nobody can reuse it for another
    /// registration: a front-runner who copies a pending registration's DID and proof under another
    /// parent is refused (Secp256k1) or records a proof that does not verify (Signature), and a did:web
    /// domain publishes consent to one registration only.
    /// @param parent node of the parent (bytes32(0) for the root)
    /// @param label DNS-like label, unique under the parent
    /// @param did the child's DID, unique across the registry (see Grammar.didFault)
    /// @param controller the child's controller address
    /// @param proofExpiry the last second the proof may be used (0 for a method without proof)
    /// @param proof the proof of control (see DidProofKind); empty for a method without proof
    /// @return node the child's node id
    function register(
        bytes32 parent,
        string calldata label,
        string calldata did,
        address controller,
        uint64 proofExpiry,
        bytes calldata proof
    ) external returns (bytes32 node);

    /// @notice Release the DID of `node` so it can be registered again; only the controller of one
    /// of its ancestors may, and only when `node`, or an entity between it and that ancestor, is
    /// suspended (disputed) or revoked. The ancestor must be acting (itself and its ancestors Active).
    /// @dev Walks at most MAX_DEPTH nodes. The released entity keeps everything but its DID: a
    /// squatter's subtree stays in the history, and cannot use the DID any more.
    /// @param ancestor the ancestor whose controller acts (bytes32(0) for the trust anchor)
    /// @param node the descendant holding the DID
    function releaseDid(bytes32 ancestor, bytes32 node) external;

    /// @notice Hand control of `node` to `newController`; only the current controller may.
    /// @dev A real change starts a new controller term (see controllerTerm): whatever the previous
    /// controller delegated by term, such as StatusRegistry's status-list delegates, ends with it.
    /// @param node the entity
    /// @param newController the new controller, non-zero
    function setController(bytes32 node, address newController) external;

    /// @notice Set the status of a child; only the parent's controller may. Revoked is final.
    /// @param node the child
    /// @param status Active (reactivate), Suspended or Revoked
    function setStatus(bytes32 node, EntityStatus status) external;

    /// @notice Grant or replace the child's accreditation for `credentialType`; only the
    /// parent's controller may, and never beyond what the parent holds itself.
    /// @param node the child
    /// @param credentialType credential type the child may issue (see Grammar.credentialTypeFault)
    /// @param roles roles the child may grant in that type, per target DID (see Grammar.roleFault)
    /// @param validFrom start of validity, unix seconds
    /// @param validUntil end of validity, unix seconds, 0 for open-ended
    function accredit(
        bytes32 node,
        string calldata credentialType,
        RoleGrant[] calldata roles,
        uint64 validFrom,
        uint64 validUntil
    ) external;

    /// @notice Withdraw the child's accreditation for `credentialType`; only the parent's controller may.
    /// @param node the child
    /// @param credentialType the credential type to withdraw
    function withdrawAccreditation(bytes32 node, string calldata credentialType) external;

    /// @notice Add a verification method to `node`; only its controller may.
    /// @param node the entity
    /// @param keyId fragment of the verification method id, never reused: 1..64 of A-Z a-z 0-9 . _ -
    /// @param keyType "JsonWebKey2020" or "Multikey" (any 1..64 of A-Z a-z 0-9 is accepted)
    /// @param publicKey public key material encoded as keyType says
    /// @param purposes bit set of verification relationships (PURPOSE_* constants)
    /// @param validFrom start of validity, unix seconds
    /// @param validUntil end of validity, unix seconds, 0 for open-ended
    function addKey(
        bytes32 node,
        string calldata keyId,
        string calldata keyType,
        bytes calldata publicKey,
        uint8 purposes,
        uint64 validFrom,
        uint64 validUntil
    ) external;

    /// @notice Revoke a verification method of `node`; only its controller may. Final.
    /// @dev A rotation (`Unspecified`, `Superseded`, with `compromisedSince` 0) retires the key from
    /// the revocation's block on. `Compromised` with `compromisedSince` in 1..block.timestamp marks
    /// every signature by the key untrusted, whatever date it carries. A revoked key may be revoked
    /// again only to widen that: declared Compromised after a rotation, or compromised since an
    /// earlier time; anything else reverts TrustRegistry__KeyAlreadyRevoked. So a key's compromise
    /// never narrows or disappears once recorded.
    /// @param node the entity
    /// @param keyId fragment of the verification method id
    /// @param reason why the key is revoked
    /// @param compromisedSince for Compromised, since when the key is (or may be) in other hands, unix
    /// seconds, not after the current block; 0 for the other reasons
    function revokeKey(bytes32 node, string calldata keyId, KeyRevocationReason reason, uint64 compromisedSince)
        external;

    /// @notice Add a service endpoint to `node`; only its controller may.
    /// @param node the entity
    /// @param serviceId fragment of the service id: 1..64 of A-Z a-z 0-9 . _ -
    /// @param serviceType service type: 1..64 of A-Z a-z 0-9 . _ : / -
    /// @param endpoint service endpoint, an absolute URI of 1..512 bytes (see Grammar.uriFault)
    function addService(bytes32 node, string calldata serviceId, string calldata serviceType, string calldata endpoint)
        external;

    /// @notice Remove a service endpoint of `node`; only its controller may.
    /// @param node the entity
    /// @param serviceId fragment of the service id
    function removeService(bytes32 node, string calldata serviceId) external;

    // ------------------------------------------------------------------ reads

    /// @notice The EIP-712 digest a DID's controller signs (or a did:web domain publishes) to consent
    /// to one registration: domain {name "TrustRegistry", version "1", chainId, this contract},
    /// `Registration(bytes32 parent,string label,string did,address controller,uint64 expiry)`.
    /// @param parent node of the parent
    /// @param label the child's label
    /// @param did the child's DID
    /// @param controller the child's controller
    /// @param expiry the last second the consent may be used
    /// @return the digest
    function registrationDigest(
        bytes32 parent,
        string calldata label,
        string calldata did,
        address controller,
        uint64 expiry
    ) external view returns (bytes32);

    /// @notice The node id of `label` under `parent`, registered or not.
    /// @param parent parent node
    /// @param label child label
    /// @return the child node id
    function childNode(bytes32 parent, string calldata label) external pure returns (bytes32);

    /// @notice The stored state of `node` (status None if never registered).
    /// @param node the entity
    /// @return the entity
    function entity(bytes32 node) external view returns (Entity memory);

    /// @notice The node whose DID is `did`, or bytes32(0) with found=false.
    /// @param did a DID
    /// @return found whether an entity has that DID
    /// @return node its node id
    function nodeOfDid(string calldata did) external view returns (bool found, bytes32 node);

    /// @notice How many levels below the trust anchor `node` sits: 0 for the root (and for a node
    /// never registered), 1 for its children, at most TrustRegistry.MAX_DEPTH.
    /// @param node the entity
    /// @return the depth
    function depthOf(bytes32 node) external view returns (uint256);

    /// @notice The controller of `node`.
    /// @param node the entity
    /// @return the controller address (zero if never registered)
    function controllerOf(bytes32 node) external view returns (address);

    /// @notice The controller of `node` and its term: how many times control of `node` has changed
    /// hands (0 from registration; each real setController adds one, so handing control back to an
    /// earlier controller is a new term). A contract that lets the controller delegate records the
    /// term with the delegation and honours it only in that term, so that delegations end with the
    /// controller that made them without anyone enumerating them. One storage read, as controllerOf.
    /// @param node the entity
    /// @return controller the controller address (zero if never registered)
    /// @return term the controller term
    function controllerTerm(bytes32 node) external view returns (address controller, uint64 term);

    /// @notice Whether `node` and every ancestor up to the root are Active.
    /// @dev Walks at most MAX_DEPTH + 1 nodes, since registration caps the depth.
    /// @param node the entity
    /// @return active true when effectively active
    /// @return inactiveNode the first node on the way up that is not Active (zero when active)
    function effectiveStatus(bytes32 node) external view returns (bool active, bytes32 inactiveNode);

    /// @notice The accreditation of `node` for `credentialType`.
    /// @param node the entity
    /// @param credentialType the credential type
    /// @return the stored accreditation metadata
    function accreditationOf(bytes32 node, string calldata credentialType) external view returns (Accreditation memory);

    /// @notice Whether `node` may grant `role` for `target` in credentials of `credentialType`.
    /// @dev The root may grant everything.
    /// @param node the entity
    /// @param credentialType the credential type
    /// @param target DID of the party whose role it is
    /// @param role role name
    /// @return true when the current accreditation lists that role
    function mayGrantRole(bytes32 node, string calldata credentialType, string calldata target, string calldata role)
        external
        view
        returns (bool);

    /// @notice The stored metadata of key `keyId` of `node`.
    /// @param node the entity
    /// @param keyId fragment of the verification method id
    /// @return the key metadata
    function keyOf(bytes32 node, string calldata keyId) external view returns (Key memory);

    /// @notice Whether `node` currently has a service `serviceId`.
    /// @param node the entity
    /// @param serviceId fragment of the service id
    /// @return true when present
    function hasService(bytes32 node, string calldata serviceId) external view returns (bool);
}
