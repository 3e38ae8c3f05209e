// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ITrustRegistry} from "./interfaces/ITrustRegistry.sol";
import {Grammar} from "./Grammar.sol";
import {DidControl} from "./DidControl.sol";

/// @title TrustRegistry
/// @notice See ITrustRegistry. Key material, role lists and service data live in events;
/// storage holds only what the contract must check. Every string a participant writes that has
/// a grammar (DID, label, credential type, role target and name, key id and type, service id,
/// type and endpoint) is checked against it (see Grammar), so the event log holds only
/// printable ASCII in those fields.
contract TrustRegistry is ITrustRegistry {
    /// @notice The trust anchor's node.
    bytes32 public constant ROOT = bytes32(0);

    uint8 public constant PURPOSE_AUTHENTICATION = 1;
    uint8 public constant PURPOSE_ASSERTION_METHOD = 2;
    uint8 public constant PURPOSE_KEY_AGREEMENT = 4;
    uint8 public constant PURPOSE_CAPABILITY_INVOCATION = 8;
    uint8 public constant PURPOSE_CAPABILITY_DELEGATION = 16;
    uint8 internal constant ALL_PURPOSES = 31;

    /// @notice How many levels below the trust anchor an entity may sit (the root's children are at 1).
    /// @dev Trust frameworks in use are shallow (EBSI: root TAO, TAO, TI; a national domain with
    /// agencies and their issuers: 3-4), and DNS, the naming model of the labels, has rarely more
    /// than 5; 16 leaves room for every real hierarchy. The cap bounds the cost of every write:
    /// effectiveStatus walks at most MAX_DEPTH + 1 nodes (about 5.5k gas per cold ancestor: a write
    /// at depth 16 costs ~83k more than one at depth 1, see test/Gas.t.sol), where an unbounded
    /// chain would let participants push every write below it past the block gas limit.
    uint256 public constant MAX_DEPTH = 16;

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant REGISTRATION_TYPEHASH =
        keccak256("Registration(bytes32 parent,string label,string did,address controller,uint64 expiry)");

    /// @dev An entity as stored: the public Entity plus its depth and controller term, packed into
    /// the controller's slot (20 + 1 + 1 + 8 bytes), so reading or changing them costs nothing extra.
    struct EntityRecord {
        bytes32 parent;
        address controller;
        EntityStatus status;
        uint8 depth;
        uint64 controllerTerm;
        string did;
    }

    mapping(bytes32 node => EntityRecord) private _entities;
    mapping(bytes32 didHash => bytes32 node) private _nodeOfDidHash;
    mapping(bytes32 node => mapping(bytes32 typeHash => Accreditation)) private _accreditations;
    /// @dev keccak256(node, typeHash, version, targetHash, roleHash) => granted
    mapping(bytes32 roleKey => bool) private _roleGranted;
    mapping(bytes32 node => mapping(bytes32 keyIdHash => Key)) private _keys;
    mapping(bytes32 node => mapping(bytes32 serviceIdHash => bool)) private _services;

    /// @param rootDid the trust anchor's DID
    constructor(string memory rootDid) {
        _requireDid(rootDid);
        _entities[ROOT] = EntityRecord({
            parent: ROOT, controller: msg.sender, status: EntityStatus.Active, depth: 0, controllerTerm: 0, did: rootDid
        });
        _nodeOfDidHash[keccak256(bytes(rootDid))] = ROOT;
        emit EntityRegistered(ROOT, ROOT, "", rootDid, msg.sender, DidProofKind.None, 0, "", msg.sender);
    }

    // ------------------------------------------------------------------ writes

    /// @inheritdoc ITrustRegistry
    function register(
        bytes32 parent,
        string calldata label,
        string calldata did,
        address controller,
        uint64 proofExpiry,
        bytes calldata proof
    ) external returns (bytes32 node) {
        node = _store(parent, label, did, controller);
        DidProofKind kind = _requireDidProof(parent, label, did, controller, proofExpiry, proof);
        emit EntityRegistered(node, parent, label, did, controller, kind, proofExpiry, proof, msg.sender);
    }

    /// @dev Everything register checks but the proof, then the new entity stored.
    function _store(bytes32 parent, string calldata label, string calldata did, address controller)
        internal
        returns (bytes32 node)
    {
        _requireActingController(parent);
        uint256 depth = uint256(_entities[parent].depth) + 1;
        if (depth > MAX_DEPTH) revert TrustRegistry__DepthExceeded(parent, MAX_DEPTH);
        _requireLabel(label);
        _requireDid(did);
        if (controller == address(0)) revert TrustRegistry__ZeroController();
        node = childNode(parent, label);
        if (_entities[node].status != EntityStatus.None) revert TrustRegistry__EntityExists(node, label);
        bytes32 didHash = keccak256(bytes(did));
        bytes32 holder = _nodeOfDidHash[didHash];
        if (holder != ROOT || didHash == keccak256(bytes(_entities[ROOT].did))) {
            revert TrustRegistry__DidTaken(did, holder);
        }
        _entities[node] = EntityRecord({
            parent: parent,
            controller: controller,
            status: EntityStatus.Active,
            // casting to 'uint8' is safe because depth <= MAX_DEPTH (16)
            // forge-lint: disable-next-line(unsafe-typecast)
            depth: uint8(depth),
            controllerTerm: 0,
            did: did
        });
        _nodeOfDidHash[didHash] = node;
    }

    /// @inheritdoc ITrustRegistry
    function releaseDid(bytes32 ancestor, bytes32 node) external {
        _requireActingController(ancestor);
        EntityRecord storage holder = _entities[node];
        if (node == ROOT || holder.status == EntityStatus.None || bytes(holder.did).length == 0) {
            revert TrustRegistry__NoDid(node);
        }
        if (ancestor == node) revert TrustRegistry__NotAncestor(ancestor, node);
        // walk up from the holder to the ancestor: someone on the way (the ancestor excluded) must be inactive
        bool disputed;
        bytes32 current = node;
        while (current != ancestor) {
            if (current == ROOT) revert TrustRegistry__NotAncestor(ancestor, node);
            EntityRecord storage e = _entities[current];
            if (e.status != EntityStatus.Active) disputed = true;
            current = e.parent;
        }
        if (!disputed) revert TrustRegistry__HolderActive(node, ancestor);
        string memory did = holder.did;
        delete _nodeOfDidHash[keccak256(bytes(did))];
        holder.did = "";
        emit DidReleased(node, ancestor, did, msg.sender);
    }

    /// @inheritdoc ITrustRegistry
    function setController(bytes32 node, address newController) external {
        _requireActingController(node);
        if (newController == address(0)) revert TrustRegistry__ZeroController();
        EntityRecord storage e = _entities[node];
        address previous = e.controller;
        if (previous == newController) return;
        e.controller = newController;
        // a new term ends the previous controller's delegations; 2^64 changes cannot be paid for
        unchecked {
            ++e.controllerTerm;
        }
        emit EntityControllerChanged(node, previous, newController, msg.sender);
    }

    /// @inheritdoc ITrustRegistry
    function setStatus(bytes32 node, EntityStatus status) external {
        EntityRecord storage child = _requireParentActing(node);
        if (status == EntityStatus.None) revert TrustRegistry__InvalidStatus(status);
        EntityStatus previous = child.status;
        if (previous == EntityStatus.Revoked) revert TrustRegistry__EntityRevoked(node);
        if (previous == status) return;
        child.status = status;
        emit EntityStatusChanged(node, previous, status, msg.sender);
    }

    /// @inheritdoc ITrustRegistry
    function accredit(
        bytes32 node,
        string calldata credentialType,
        RoleGrant[] calldata roles,
        uint64 validFrom,
        uint64 validUntil
    ) external {
        EntityRecord storage child = _requireParentActing(node);
        if (child.status == EntityStatus.Revoked) revert TrustRegistry__EntityRevoked(node);
        uint256 typeFault = Grammar.credentialTypeFault(bytes(credentialType));
        if (typeFault != Grammar.OK) revert TrustRegistry__InvalidCredentialType(credentialType, typeFault);
        _requireRoleGrants(roles);
        if (validUntil != 0 && validUntil <= validFrom) revert TrustRegistry__InvalidValidity(validFrom, validUntil);

        bytes32 typeHash = keccak256(bytes(credentialType));
        bytes32 contentHash = keccak256(abi.encode(roles, validFrom, validUntil));
        Accreditation storage current = _accreditations[node][typeHash];
        if (current.exists && current.contentHash == contentHash) return;
        if (child.parent != ROOT) {
            _requireWithinParent(child.parent, credentialType, typeHash, roles, validFrom, validUntil);
        }
        current.exists = true;
        current.version += 1;
        current.validFrom = validFrom;
        current.validUntil = validUntil;
        current.contentHash = contentHash;
        _grantRoles(node, typeHash, current.version, roles);
        emit EntityAccredited(node, typeHash, credentialType, roles, validFrom, validUntil, msg.sender);
    }

    /// @inheritdoc ITrustRegistry
    function withdrawAccreditation(bytes32 node, string calldata credentialType) external {
        EntityRecord storage child = _requireParentActing(node);
        if (child.status == EntityStatus.Revoked) revert TrustRegistry__EntityRevoked(node);
        bytes32 typeHash = keccak256(bytes(credentialType));
        Accreditation storage current = _accreditations[node][typeHash];
        if (!current.exists) revert TrustRegistry__NotAccredited(node, credentialType);
        current.exists = false;
        // Bumping the version orphans the stored role set without touching each slot.
        current.version += 1;
        current.contentHash = bytes32(0);
        emit AccreditationWithdrawn(node, typeHash, credentialType, msg.sender);
    }

    /// @inheritdoc ITrustRegistry
    function addKey(
        bytes32 node,
        string calldata keyId,
        string calldata keyType,
        bytes calldata publicKey,
        uint8 purposes,
        uint64 validFrom,
        uint64 validUntil
    ) external {
        _requireActingController(node);
        uint256 fault = Grammar.fragmentFault(bytes(keyId));
        if (fault != Grammar.OK) revert TrustRegistry__InvalidKeyId(keyId, fault);
        fault = Grammar.keyTypeFault(bytes(keyType));
        if (fault != Grammar.OK) revert TrustRegistry__InvalidKeyType(keyType, fault);
        if (publicKey.length == 0) revert TrustRegistry__EmptyPublicKey(keyId);
        if (purposes == 0 || purposes > ALL_PURPOSES) revert TrustRegistry__InvalidKeyPurposes(purposes);
        if (validUntil != 0 && validUntil <= validFrom) revert TrustRegistry__InvalidValidity(validFrom, validUntil);
        Key storage key = _keys[node][keccak256(bytes(keyId))];
        if (key.exists) revert TrustRegistry__KeyExists(node, keyId);
        key.exists = true;
        key.purposes = purposes;
        key.validFrom = validFrom;
        key.validUntil = validUntil;
        key.materialHash = keccak256(abi.encode(keyType, publicKey));
        emit KeyAdded(node, keyId, keyType, publicKey, purposes, validFrom, validUntil, msg.sender);
    }

    /// @inheritdoc ITrustRegistry
    function revokeKey(bytes32 node, string calldata keyId, KeyRevocationReason reason, uint64 compromisedSince)
        external
    {
        _requireActingController(node);
        Key storage key = _keys[node][keccak256(bytes(keyId))];
        if (!key.exists) revert TrustRegistry__UnknownKey(node, keyId);
        if (reason == KeyRevocationReason.Compromised) {
            // a validator's leeway over the block time only moves the bound by seconds
            // forge-lint: disable-next-line(block-timestamp)
            if (compromisedSince == 0 || compromisedSince > block.timestamp) {
                // casting to 'uint64' is safe: block times fit in 64 bits for billions of years
                // forge-lint: disable-next-line(unsafe-typecast)
                revert TrustRegistry__InvalidCompromiseTime(reason, compromisedSince, uint64(block.timestamp));
            }
            // widening only: a first compromise, or one that starts earlier than the recorded one
            if (key.revocationReason == KeyRevocationReason.Compromised && compromisedSince >= key.compromisedSince) {
                revert TrustRegistry__KeyAlreadyRevoked(node, keyId);
            }
        } else {
            if (compromisedSince != 0) {
                // forge-lint: disable-next-line(unsafe-typecast)
                revert TrustRegistry__InvalidCompromiseTime(reason, compromisedSince, uint64(block.timestamp));
            }
            if (key.revoked) revert TrustRegistry__KeyAlreadyRevoked(node, keyId);
        }
        key.revoked = true;
        key.revocationReason = reason;
        key.compromisedSince = compromisedSince;
        emit KeyRevoked(node, keyId, reason, compromisedSince, msg.sender);
    }

    /// @inheritdoc ITrustRegistry
    function addService(bytes32 node, string calldata serviceId, string calldata serviceType, string calldata endpoint)
        external
    {
        _requireActingController(node);
        uint256 fault = Grammar.fragmentFault(bytes(serviceId));
        if (fault != Grammar.OK) revert TrustRegistry__InvalidServiceId(serviceId, fault);
        fault = Grammar.serviceTypeFault(bytes(serviceType));
        if (fault != Grammar.OK) revert TrustRegistry__InvalidServiceType(serviceType, fault);
        fault = Grammar.uriFault(bytes(endpoint));
        if (fault != Grammar.OK) revert TrustRegistry__InvalidServiceEndpoint(endpoint, fault);
        bytes32 serviceIdHash = keccak256(bytes(serviceId));
        if (_services[node][serviceIdHash]) revert TrustRegistry__ServiceExists(node, serviceId);
        _services[node][serviceIdHash] = true;
        emit ServiceAdded(node, serviceId, serviceType, endpoint, msg.sender);
    }

    /// @inheritdoc ITrustRegistry
    function removeService(bytes32 node, string calldata serviceId) external {
        _requireActingController(node);
        bytes32 serviceIdHash = keccak256(bytes(serviceId));
        if (!_services[node][serviceIdHash]) revert TrustRegistry__UnknownService(node, serviceId);
        _services[node][serviceIdHash] = false;
        emit ServiceRemoved(node, serviceId, msg.sender);
    }

    // ------------------------------------------------------------------ reads

    /// @inheritdoc ITrustRegistry
    function registrationDigest(
        bytes32 parent,
        string calldata label,
        string calldata did,
        address controller,
        uint64 expiry
    ) public view returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("TrustRegistry"), keccak256("1"), block.chainid, address(this))
        );
        bytes32 registration = keccak256(
            abi.encode(
                REGISTRATION_TYPEHASH, parent, keccak256(bytes(label)), keccak256(bytes(did)), controller, expiry
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domain, registration));
    }

    /// @inheritdoc ITrustRegistry
    function childNode(bytes32 parent, string calldata label) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(parent, keccak256(bytes(label))));
    }

    /// @inheritdoc ITrustRegistry
    function entity(bytes32 node) external view returns (Entity memory) {
        EntityRecord storage e = _entities[node];
        return Entity({parent: e.parent, controller: e.controller, status: e.status, did: e.did});
    }

    /// @inheritdoc ITrustRegistry
    function depthOf(bytes32 node) external view returns (uint256) {
        return _entities[node].depth;
    }

    /// @inheritdoc ITrustRegistry
    function nodeOfDid(string calldata did) external view returns (bool found, bytes32 node) {
        bytes32 didHash = keccak256(bytes(did));
        node = _nodeOfDidHash[didHash];
        found = node != ROOT || didHash == keccak256(bytes(_entities[ROOT].did));
    }

    /// @inheritdoc ITrustRegistry
    function controllerOf(bytes32 node) external view returns (address) {
        return _entities[node].controller;
    }

    /// @inheritdoc ITrustRegistry
    function controllerTerm(bytes32 node) external view returns (address controller, uint64 term) {
        EntityRecord storage e = _entities[node];
        return (e.controller, e.controllerTerm);
    }

    /// @inheritdoc ITrustRegistry
    function effectiveStatus(bytes32 node) public view returns (bool active, bytes32 inactiveNode) {
        bytes32 current = node;
        while (true) {
            EntityRecord storage e = _entities[current];
            if (e.status != EntityStatus.Active) return (false, current);
            if (current == ROOT) return (true, ROOT);
            current = e.parent;
        }
    }

    /// @inheritdoc ITrustRegistry
    function accreditationOf(bytes32 node, string calldata credentialType)
        external
        view
        returns (Accreditation memory)
    {
        return _accreditations[node][keccak256(bytes(credentialType))];
    }

    /// @inheritdoc ITrustRegistry
    function mayGrantRole(bytes32 node, string calldata credentialType, string calldata target, string calldata role)
        public
        view
        returns (bool)
    {
        if (node == ROOT) return true;
        bytes32 typeHash = keccak256(bytes(credentialType));
        Accreditation storage held = _accreditations[node][typeHash];
        return held.exists
            && _roleGranted[_roleKey(node, typeHash, held.version, keccak256(bytes(target)), keccak256(bytes(role)))];
    }

    /// @inheritdoc ITrustRegistry
    function keyOf(bytes32 node, string calldata keyId) external view returns (Key memory) {
        return _keys[node][keccak256(bytes(keyId))];
    }

    /// @inheritdoc ITrustRegistry
    function hasService(bytes32 node, string calldata serviceId) external view returns (bool) {
        return _services[node][keccak256(bytes(serviceId))];
    }

    // ------------------------------------------------------------------ internals

    /// @dev msg.sender must control `node`, and `node` with all its ancestors must be Active.
    function _requireActingController(bytes32 node) internal view {
        EntityRecord storage e = _entities[node];
        if (e.status == EntityStatus.None) revert TrustRegistry__UnknownEntity(node);
        if (e.controller != msg.sender) revert TrustRegistry__NotController(node, msg.sender);
        (bool active, bytes32 inactiveNode) = effectiveStatus(node);
        if (!active) revert TrustRegistry__NotActive(inactiveNode, _entities[inactiveNode].status);
    }

    /// @dev `node` must exist below the root and msg.sender must be its parent's acting controller.
    function _requireParentActing(bytes32 node) internal view returns (EntityRecord storage child) {
        if (node == ROOT) revert TrustRegistry__RootHasNoParent();
        child = _entities[node];
        if (child.status == EntityStatus.None) revert TrustRegistry__UnknownEntity(node);
        _requireActingController(child.parent);
    }

    function _requireWithinParent(
        bytes32 parent,
        string calldata credentialType,
        bytes32 typeHash,
        RoleGrant[] calldata roles,
        uint64 validFrom,
        uint64 validUntil
    ) internal view {
        Accreditation storage held = _accreditations[parent][typeHash];
        if (!held.exists) revert TrustRegistry__TypeNotHeldByParent(parent, credentialType);
        bool startsInside = validFrom >= held.validFrom;
        bool endsInside = held.validUntil == 0 || (validUntil != 0 && validUntil <= held.validUntil);
        if (!startsInside || !endsInside) {
            revert TrustRegistry__ValidityExceedsParent(parent, credentialType, held.validFrom, held.validUntil);
        }
        for (uint256 i = 0; i < roles.length; ++i) {
            bytes32 targetHash = keccak256(bytes(roles[i].target));
            for (uint256 j = 0; j < roles[i].names.length; ++j) {
                bytes32 key = _roleKey(parent, typeHash, held.version, targetHash, keccak256(bytes(roles[i].names[j])));
                if (!_roleGranted[key]) {
                    revert TrustRegistry__RoleNotHeldByParent(
                        parent, credentialType, roles[i].target, roles[i].names[j]
                    );
                }
            }
        }
    }

    function _grantRoles(bytes32 node, bytes32 typeHash, uint32 version, RoleGrant[] calldata roles) internal {
        for (uint256 i = 0; i < roles.length; ++i) {
            bytes32 targetHash = keccak256(bytes(roles[i].target));
            string[] calldata names = roles[i].names;
            for (uint256 j = 0; j < names.length; ++j) {
                _roleGranted[_roleKey(node, typeHash, version, targetHash, keccak256(bytes(names[j])))] = true;
            }
        }
    }

    function _roleKey(bytes32 node, bytes32 typeHash, uint32 version, bytes32 targetHash, bytes32 roleHash)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(node, typeHash, version, targetHash, roleHash));
    }

    /// @dev The proof of control `did`'s method allows (DidControl), checked as far as the EVM can.
    function _requireDidProof(
        bytes32 parent,
        string calldata label,
        string calldata did,
        address controller,
        uint64 expiry,
        bytes calldata proof
    ) internal view returns (DidProofKind kind) {
        address account;
        (kind, account) = DidControl.kindOf(did);
        if (kind == DidProofKind.None) {
            if (proof.length != 0 || expiry != 0) revert TrustRegistry__InvalidDidProof(did, kind);
            return kind;
        }
        // a validator's leeway over the block time only moves the bound by seconds
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > expiry) {
            // casting to 'uint64' is safe: block times fit in 64 bits for billions of years
            // forge-lint: disable-next-line(unsafe-typecast)
            revert TrustRegistry__DidProofExpired(expiry, uint64(block.timestamp));
        }
        bool valid;
        if (kind == DidProofKind.Secp256k1) {
            valid = DidControl.signedBy(registrationDigest(parent, label, did, controller, expiry), proof, account);
        } else if (kind == DidProofKind.WebChallenge) {
            valid = proof.length == 32 && bytes32(proof) == registrationDigest(parent, label, did, controller, expiry);
        } else {
            valid = proof.length != 0 && proof.length <= DidControl.MAX_PROOF_LENGTH;
        }
        if (!valid) revert TrustRegistry__InvalidDidProof(did, kind);
    }

    function _requireLabel(string calldata label) internal pure {
        if (Grammar.labelFault(bytes(label)) != Grammar.OK) revert TrustRegistry__InvalidLabel(label);
    }

    function _requireDid(string memory did) internal pure {
        uint256 fault = Grammar.didFault(bytes(did));
        if (fault != Grammar.OK) revert TrustRegistry__InvalidDid(did, fault);
    }

    /// @dev Every target is a DID and every role name a role (Grammar.roleFault).
    function _requireRoleGrants(RoleGrant[] calldata roles) internal pure {
        for (uint256 i = 0; i < roles.length; ++i) {
            string calldata target = roles[i].target;
            uint256 fault = Grammar.didFault(bytes(target));
            if (fault != Grammar.OK) revert TrustRegistry__InvalidRoleTarget(target, fault);
            string[] calldata names = roles[i].names;
            for (uint256 j = 0; j < names.length; ++j) {
                fault = Grammar.roleFault(bytes(names[j]));
                if (fault != Grammar.OK) revert TrustRegistry__InvalidRoleName(names[j], fault);
            }
        }
    }
}
