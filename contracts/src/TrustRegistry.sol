// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ITrustRegistry} from "./interfaces/ITrustRegistry.sol";

/// @title TrustRegistry
/// @notice See ITrustRegistry. Key material, role lists and service data live in events;
/// storage holds only what the contract must check.
contract TrustRegistry is ITrustRegistry {
    /// @notice The trust anchor's node.
    bytes32 public constant ROOT = bytes32(0);

    uint8 public constant PURPOSE_AUTHENTICATION = 1;
    uint8 public constant PURPOSE_ASSERTION_METHOD = 2;
    uint8 public constant PURPOSE_KEY_AGREEMENT = 4;
    uint8 public constant PURPOSE_CAPABILITY_INVOCATION = 8;
    uint8 public constant PURPOSE_CAPABILITY_DELEGATION = 16;
    uint8 internal constant ALL_PURPOSES = 31;

    mapping(bytes32 node => Entity) private _entities;
    mapping(bytes32 didHash => bytes32 node) private _nodeOfDidHash;
    mapping(bytes32 node => mapping(bytes32 typeHash => Accreditation)) private _accreditations;
    /// @dev keccak256(node, typeHash, version, targetHash, roleHash) => granted
    mapping(bytes32 roleKey => bool) private _roleGranted;
    mapping(bytes32 node => mapping(bytes32 keyIdHash => Key)) private _keys;
    mapping(bytes32 node => mapping(bytes32 serviceIdHash => bool)) private _services;

    /// @param rootDid the trust anchor's DID
    constructor(string memory rootDid) {
        _requireDid(rootDid);
        _entities[ROOT] = Entity({parent: ROOT, controller: msg.sender, status: EntityStatus.Active, did: rootDid});
        _nodeOfDidHash[keccak256(bytes(rootDid))] = ROOT;
        emit EntityRegistered(ROOT, ROOT, "", rootDid, msg.sender, msg.sender);
    }

    // ------------------------------------------------------------------ writes

    /// @inheritdoc ITrustRegistry
    function register(bytes32 parent, string calldata label, string calldata did, address controller)
        external
        returns (bytes32 node)
    {
        _requireActingController(parent);
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
        _entities[node] = Entity({parent: parent, controller: controller, status: EntityStatus.Active, did: did});
        _nodeOfDidHash[didHash] = node;
        emit EntityRegistered(node, parent, label, did, controller, msg.sender);
    }

    /// @inheritdoc ITrustRegistry
    function setController(bytes32 node, address newController) external {
        _requireActingController(node);
        if (newController == address(0)) revert TrustRegistry__ZeroController();
        address previous = _entities[node].controller;
        if (previous == newController) return;
        _entities[node].controller = newController;
        emit EntityControllerChanged(node, previous, newController, msg.sender);
    }

    /// @inheritdoc ITrustRegistry
    function setStatus(bytes32 node, EntityStatus status) external {
        Entity storage child = _requireParentActing(node);
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
        Entity storage child = _requireParentActing(node);
        if (child.status == EntityStatus.Revoked) revert TrustRegistry__EntityRevoked(node);
        uint256 typeLength = bytes(credentialType).length;
        if (typeLength == 0 || typeLength > 128) revert TrustRegistry__InvalidCredentialType(credentialType);
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
        Entity storage child = _requireParentActing(node);
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
        uint256 idLength = bytes(keyId).length;
        if (idLength == 0 || idLength > 64) revert TrustRegistry__InvalidKeyId(keyId);
        if (purposes == 0 || purposes > ALL_PURPOSES) revert TrustRegistry__InvalidKeyPurposes(purposes);
        if (bytes(keyType).length == 0 || publicKey.length == 0) revert TrustRegistry__InvalidKeyMaterial(keyType);
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
    function revokeKey(bytes32 node, string calldata keyId) external {
        _requireActingController(node);
        Key storage key = _keys[node][keccak256(bytes(keyId))];
        if (!key.exists) revert TrustRegistry__UnknownKey(node, keyId);
        if (key.revoked) revert TrustRegistry__KeyAlreadyRevoked(node, keyId);
        key.revoked = true;
        emit KeyRevoked(node, keyId, msg.sender);
    }

    /// @inheritdoc ITrustRegistry
    function addService(bytes32 node, string calldata serviceId, string calldata serviceType, string calldata endpoint)
        external
    {
        _requireActingController(node);
        uint256 idLength = bytes(serviceId).length;
        if (idLength == 0 || idLength > 64 || bytes(serviceType).length == 0 || bytes(endpoint).length == 0) {
            revert TrustRegistry__InvalidService(serviceId);
        }
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
    function childNode(bytes32 parent, string calldata label) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(parent, keccak256(bytes(label))));
    }

    /// @inheritdoc ITrustRegistry
    function entity(bytes32 node) external view returns (Entity memory) {
        return _entities[node];
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
    function effectiveStatus(bytes32 node) public view returns (bool active, bytes32 inactiveNode) {
        bytes32 current = node;
        while (true) {
            Entity storage e = _entities[current];
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
        Entity storage e = _entities[node];
        if (e.status == EntityStatus.None) revert TrustRegistry__UnknownEntity(node);
        if (e.controller != msg.sender) revert TrustRegistry__NotController(node, msg.sender);
        (bool active, bytes32 inactiveNode) = effectiveStatus(node);
        if (!active) revert TrustRegistry__NotActive(inactiveNode, _entities[inactiveNode].status);
    }

    /// @dev `node` must exist below the root and msg.sender must be its parent's acting controller.
    function _requireParentActing(bytes32 node) internal view returns (Entity storage child) {
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

    function _requireLabel(string calldata label) internal pure {
        bytes calldata raw = bytes(label);
        if (raw.length == 0 || raw.length > 63) revert TrustRegistry__InvalidLabel(label);
        for (uint256 i = 0; i < raw.length; ++i) {
            bytes1 c = raw[i];
            bool allowed = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x5f;
            if (!allowed) revert TrustRegistry__InvalidLabel(label);
        }
    }

    function _requireDid(string memory did) internal pure {
        bytes memory raw = bytes(did);
        bool prefixed = raw.length > 4 && raw[0] == "d" && raw[1] == "i" && raw[2] == "d" && raw[3] == ":";
        if (!prefixed || raw.length > 256) revert TrustRegistry__InvalidDid(did);
    }
}
