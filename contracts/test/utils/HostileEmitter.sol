// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice Test helper: emits the registries' events (the same signatures as ITrustRegistry and
/// IStatusRegistry) with any bytes in every string field, as a participant can write them when a
/// contract does not check. Given to the follower as if it were the registry, it shows the mirror
/// never halts on participant data, whatever the real contracts accept. Enums are their uint8.
contract HostileEmitter {
    struct RoleGrant {
        string target;
        string[] names;
    }

    event EntityRegistered(
        bytes32 indexed node,
        bytes32 indexed parent,
        string label,
        string did,
        address controller,
        uint8 proofKind,
        uint64 proofExpiry,
        bytes proof,
        address by
    );
    event DidReleased(bytes32 indexed node, bytes32 indexed ancestor, string did, address by);
    event EntityStatusChanged(bytes32 indexed node, uint8 previousStatus, uint8 newStatus, address by);
    event EntityAccredited(
        bytes32 indexed node,
        bytes32 indexed credentialTypeHash,
        string credentialType,
        RoleGrant[] roles,
        uint64 validFrom,
        uint64 validUntil,
        address by
    );
    event AccreditationWithdrawn(
        bytes32 indexed node, bytes32 indexed credentialTypeHash, string credentialType, address by
    );
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
    event KeyRevoked(bytes32 indexed node, string keyId, uint8 reason, uint64 compromisedSince, address by);
    event ServiceAdded(bytes32 indexed node, string serviceId, string serviceType, string endpoint, address by);
    event ServiceRemoved(bytes32 indexed node, string serviceId, address by);
    event StatusListCreated(
        uint256 indexed listId, bytes32 indexed owner, uint8 purpose, uint32 size, string uri, address by
    );
    event StatusWordsChanged(uint256 indexed listId, uint256[] wordIndices, uint256[] words, address by);

    function registered(bytes32 node, bytes32 parent, bytes calldata label, bytes calldata did, address controller)
        external
    {
        emit EntityRegistered(node, parent, string(label), string(did), controller, 2, 0, hex"00ff", msg.sender);
    }

    function didReleased(bytes32 node, bytes32 ancestor, bytes calldata did) external {
        emit DidReleased(node, ancestor, string(did), msg.sender);
    }

    function statusChanged(bytes32 node, uint8 previousStatus, uint8 newStatus) external {
        emit EntityStatusChanged(node, previousStatus, newStatus, msg.sender);
    }

    function accredited(bytes32 node, bytes calldata credentialType, bytes calldata target, bytes calldata role)
        external
    {
        RoleGrant[] memory roles = new RoleGrant[](1);
        roles[0].target = string(target);
        roles[0].names = new string[](1);
        roles[0].names[0] = string(role);
        emit EntityAccredited(node, keccak256(credentialType), string(credentialType), roles, 0, 0, msg.sender);
    }

    function withdrawn(bytes32 node, bytes calldata credentialType) external {
        emit AccreditationWithdrawn(node, keccak256(credentialType), string(credentialType), msg.sender);
    }

    function keyAdded(bytes32 node, bytes calldata keyId, bytes calldata keyType, bytes calldata publicKey) external {
        emit KeyAdded(node, string(keyId), string(keyType), publicKey, 3, 0, 0, msg.sender);
    }

    function keyRevoked(bytes32 node, bytes calldata keyId, uint8 reason, uint64 compromisedSince) external {
        emit KeyRevoked(node, string(keyId), reason, compromisedSince, msg.sender);
    }

    function serviceAdded(bytes32 node, bytes calldata serviceId, bytes calldata serviceType, bytes calldata endpoint)
        external
    {
        emit ServiceAdded(node, string(serviceId), string(serviceType), string(endpoint), msg.sender);
    }

    function serviceRemoved(bytes32 node, bytes calldata serviceId) external {
        emit ServiceRemoved(node, string(serviceId), msg.sender);
    }

    function listCreated(uint256 listId, bytes32 owner, bytes calldata uri) external {
        emit StatusListCreated(listId, owner, 0, 256, string(uri), msg.sender);
    }

    function wordsChanged(uint256 listId, uint256 wordIndex, uint256 word) external {
        uint256[] memory indices = new uint256[](1);
        uint256[] memory words = new uint256[](1);
        indices[0] = wordIndex;
        words[0] = word;
        emit StatusWordsChanged(listId, indices, words, msg.sender);
    }
}
