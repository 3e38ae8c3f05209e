// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Vm} from "../utils/Vm.sol";
import {TrustRegistry} from "../../src/TrustRegistry.sol";
import {StatusRegistry} from "../../src/StatusRegistry.sol";
import {ITrustRegistry} from "../../src/interfaces/ITrustRegistry.sol";
import {IStatusRegistry} from "../../src/interfaces/IStatusRegistry.sol";

/// @title Handler
/// @notice Drives TrustRegistry and StatusRegistry for the invariant tests. Every action picks
/// an actor (usually the one entitled to act, sometimes anyone: the root controller, other
/// controllers, delegates or strangers), calls with bounded inputs under try/catch, and
/// records ghost state computed from what it observed *before* the call.
contract Handler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    bytes32 internal constant ROOT = bytes32(0);
    uint32 public constant LIST_SIZE = 1024; // 4 words: indices collide often
    uint256 public constant LIST_WORDS = LIST_SIZE / 256;
    uint256 public constant N_TYPES = 3;
    uint256 public constant N_TARGETS = 2;
    uint256 public constant N_ROLES = 3;

    TrustRegistry public immutable reg;
    StatusRegistry public immutable status;
    string public rootDid;

    /// @dev actors[0] is the root controller; actors[0..5] may become controllers;
    /// actors[3..7] may become delegates; actors[6..7] never control anything.
    address[8] internal _actors;

    // ------------------------------------------------------------------ ghost: entities

    struct Creation {
        bytes32 node;
        bytes32 parent;
        address by; // msg.sender of the successful register
        address parentControllerAtCall; // controllerOf(parent) read just before the call
        bool parentActiveAtCall; // effectiveStatus(parent) just before the call
    }

    Creation[] internal _creations;
    bytes32[] public nodes; // nodes[0] = ROOT, then every registered node in order
    string[] public dids; // dids[i] is the DID nodes[i] was registered with
    string[] public labels; // labels[i] is the label nodes[i] was registered with ("" for the root)
    bytes32[] public revoked; // every node seen successfully revoked
    mapping(bytes32 => bool) public isKnown;

    /// @dev node => 1 + its index in nodes/dids/labels
    mapping(bytes32 => uint256) internal _indexOf;
    uint256 public releasedCount;
    /// @dev set when releaseDid succeeded where the independent oracle says it must not have
    bool public ghost_didReleasedWrongly;

    /// @dev set when a call that must have been refused succeeded
    bool public ghost_statusChangedByNonParent;
    bool public ghost_revokedEntityChanged;
    bool public ghost_controllerChangedByNonController;

    // ------------------------------------------------------------------ ghost: accreditations

    struct Grant {
        bytes32 node;
        bytes32 parent;
        uint256 typeIndex;
        uint256 roleMask; // bit t*N_ROLES + r: role r for target t
        uint64 validFrom;
        uint64 validUntil;
        uint32 version; // the child's accreditation version this grant produced
        uint32 parentVersion; // the parent's accreditation version at grant time
        bool byParentController;
        bool withinParentAtGrant; // independent check of the parent's holdings before the call
    }

    Grant[] internal _grants;
    /// @dev node => typeIndex => 1 + index into _grants of the grant currently in force (0: none)
    mapping(bytes32 => mapping(uint256 => uint256)) public currentGrant;

    // ------------------------------------------------------------------ ghost: status lists

    uint256[] public lists;
    mapping(uint256 => bytes32) public listOwner;
    mapping(uint256 => IStatusRegistry.Purpose) public listPurpose;
    mapping(uint256 => mapping(uint256 => uint256)) public ghostWord;
    /// @dev list => word => every bit of a revocation list ever seen set (after any successful call)
    mapping(uint256 => mapping(uint256 => uint256)) public everSet;
    bool public ghost_bitsChangedByUnauthorised;
    bool public ghost_listCreatedByUnauthorised;
    bool public ghost_revocationBitCleared;
    uint256 public ghost_authorisedSetStatusesRefused;

    // ------------------------------------------------------------------ ghost: delegations
    // An independent model of "a delegation ends with the controller that made it": a node's term
    // counts its real controller changes; a delegation records the term it was made in.

    mapping(bytes32 => uint256) public ghostTerm;
    /// @dev owner => delegate => 1 + the owner's term when its controller named it (0: none)
    mapping(bytes32 => mapping(address => uint256)) public ghostDelegation;
    bool public ghost_delegateSetByNonController;

    // ------------------------------------------------------------------ ghost: keys
    // What every successful revokeKey promised: a revoked key stays revoked, a compromise stays and its
    // start only moves earlier.

    struct KeyRef {
        bytes32 node;
        uint256 keyIndex;
    }

    KeyRef[] internal _keys;
    mapping(bytes32 => mapping(uint256 => bool)) public ghostKeyRevoked;
    /// @dev node => key index => the earliest compromise time accepted (0: never declared compromised)
    mapping(bytes32 => mapping(uint256 => uint64)) public ghostCompromisedSince;
    bool public ghost_keyRevokedByNonController;

    // ------------------------------------------------------------------ call counters (for the log)

    mapping(bytes4 => uint256) public calls;
    mapping(bytes4 => uint256) public successes;

    constructor(string memory rootDid_) {
        for (uint256 i = 0; i < 8; ++i) {
            _actors[i] = vm.addr(1000 + i);
        }
        rootDid = rootDid_;
        vm.prank(_actors[0]);
        reg = new TrustRegistry(rootDid_);
        status = new StatusRegistry(reg);
        nodes.push(ROOT);
        dids.push(rootDid_);
        labels.push("");
        isKnown[ROOT] = true;
        _indexOf[ROOT] = 1;
        // one list owned by the root to start with
        vm.prank(_actors[0]);
        uint256 id = status.createList(ROOT, IStatusRegistry.Purpose.Revocation, LIST_SIZE, "https://root.example/sl/1");
        lists.push(id);
        listOwner[id] = ROOT;
        listPurpose[id] = IStatusRegistry.Purpose.Revocation;
    }

    // ================================================================== actions: TrustRegistry

    function register(uint256 parentSeed, uint256 labelSeed, uint256 didSeed, uint256 actorSeed, uint256 ctlSeed)
        external
    {
        _count(this.register.selector);
        bytes32 parent = _node(parentSeed);
        address parentCtl = reg.controllerOf(parent);
        (bool parentActive,) = reg.effectiveStatus(parent);
        address actor = _pick(actorSeed, parentCtl);
        string memory label = _label(labelSeed);
        string memory did = didSeed % 64 == 0 ? rootDid : string.concat("did:web:e", _toString(didSeed % 40));
        address controller = _actors[ctlSeed % 6];

        bytes memory proof = _webProof(parent, label, did, controller);
        vm.prank(actor);
        try reg.register(parent, label, did, controller, type(uint64).max, proof) returns (bytes32 node) {
            _ok(this.register.selector);
            _creations.push(Creation(node, parent, actor, parentCtl, parentActive));
            nodes.push(node);
            dids.push(did);
            labels.push(label);
            isKnown[node] = true;
            _indexOf[node] = nodes.length;
        } catch {}
    }

    function releaseDid(uint256 ancestorSeed, uint256 nodeSeed, uint256 actorSeed) external {
        _count(this.releaseDid.selector);
        bytes32 node = _node(nodeSeed);
        // mostly an ancestor of the node (its parent, grandparent, ...), sometimes any node
        bytes32 ancestor = reg.entity(node).parent;
        for (uint256 up = (ancestorSeed >> 8) % 3; up > 0 && ancestor != ROOT; --up) {
            ancestor = reg.entity(ancestor).parent;
        }
        if (ancestorSeed % 5 == 0) ancestor = _node(ancestorSeed >> 16);
        address ancestorCtl = reg.controllerOf(ancestor);
        address actor = _pick(actorSeed, ancestorCtl);
        bool allowed = actor == ancestorCtl && _releasable(ancestor, node);
        vm.prank(actor);
        try reg.releaseDid(ancestor, node) {
            _ok(this.releaseDid.selector);
            if (!allowed) ghost_didReleasedWrongly = true;
            dids[_indexOf[node] - 1] = "";
            ++releasedCount;
        } catch {}
    }

    /// @dev The oracle: `ancestor` is acting and a strict ancestor of `node`, which has a DID, and `node`
    /// or an entity between them is not Active.
    function _releasable(bytes32 ancestor, bytes32 node) internal view returns (bool) {
        (bool active,) = reg.effectiveStatus(ancestor);
        if (!active || node == ancestor || node == ROOT || !isKnown[node]) return false;
        if (bytes(dids[_indexOf[node] - 1]).length == 0) return false;
        bool disputed;
        for (bytes32 current = node; current != ancestor; current = reg.entity(current).parent) {
            if (current == ROOT) return false;
            if (reg.entity(current).status != ITrustRegistry.EntityStatus.Active) disputed = true;
        }
        return disputed;
    }

    function setController(uint256 nodeSeed, uint256 ctlSeed, uint256 actorSeed) external {
        _count(this.setController.selector);
        bytes32 node = _node(nodeSeed);
        address current = reg.controllerOf(node);
        address actor = _pick(actorSeed, current);
        address next = _actors[ctlSeed % 6];
        vm.prank(actor);
        try reg.setController(node, next) {
            _ok(this.setController.selector);
            if (actor != current) ghost_controllerChangedByNonController = true;
            if (next != current) ++ghostTerm[node];
        } catch {}
    }

    function setStatus(uint256 nodeSeed, uint256 statusSeed, uint256 actorSeed) external {
        _count(this.setStatus.selector);
        bytes32 node = _node(nodeSeed);
        ITrustRegistry.Entity memory e = reg.entity(node);
        address parentCtl = reg.controllerOf(e.parent);
        address actor = _pick(actorSeed, parentCtl);
        uint256 r = statusSeed % 10; // 4 Active, 4 Suspended, 2 Revoked
        ITrustRegistry.EntityStatus s = r < 4
            ? ITrustRegistry.EntityStatus.Active
            : r < 8 ? ITrustRegistry.EntityStatus.Suspended : ITrustRegistry.EntityStatus.Revoked;

        vm.prank(actor);
        try reg.setStatus(node, s) {
            _ok(this.setStatus.selector);
            if (actor != parentCtl || node == ROOT) ghost_statusChangedByNonParent = true;
            if (e.status == ITrustRegistry.EntityStatus.Revoked) ghost_revokedEntityChanged = true;
            if (s == ITrustRegistry.EntityStatus.Revoked) revoked.push(node);
        } catch {}
    }

    function accredit(
        uint256 nodeSeed,
        uint256 typeSeed,
        uint256 roleMask,
        uint256 fromSeed,
        uint256 untilSeed,
        uint256 actorSeed
    ) external {
        _count(this.accredit.selector);
        Grant memory g;
        g.node = _node(nodeSeed);
        g.parent = reg.entity(g.node).parent;
        address parentCtl = reg.controllerOf(g.parent);
        address who = _pick(actorSeed, parentCtl);
        g.byParentController = who == parentCtl;
        g.typeIndex = typeSeed % N_TYPES;
        g.roleMask = roleMask % (1 << (N_TARGETS * N_ROLES));
        g.validFrom = [uint64(0), 100, 200][fromSeed % 3];
        g.validUntil = [uint64(0), 150, 300, 500][untilSeed % 4];
        // Usually aim at what the parent currently holds, one dimension at a time (a type it holds,
        // a subset of its roles, its window), so grandchildren get accredited and each containment
        // rule is probed on its own; otherwise anything goes.
        if (g.parent != ROOT) _narrowToParent(g, typeSeed, untilSeed, fromSeed >> 8);
        _accredit(g, who);
    }

    function _narrowToParent(Grant memory g, uint256 typeSeed, uint256 windowSeed, uint256 coin) internal view {
        if (coin % 5 == 0) return; // fully random
        for (uint256 k = 0; k < N_TYPES; ++k) {
            uint256 t = (typeSeed % N_TYPES + k) % N_TYPES;
            uint256 held = currentGrant[g.parent][t];
            if (held == 0) continue;
            Grant storage p = _grants[held - 1];
            g.typeIndex = t;
            if ((coin >> 4) % 4 != 0) g.roleMask &= p.roleMask; // roles: a subset, 3 times in 4
            uint256 w = (windowSeed >> 8) % 4; // window: the parent's, inside it, or random
            if (w == 0) {
                (g.validFrom, g.validUntil) = (p.validFrom, p.validUntil);
            } else if (w == 1) {
                g.validFrom = p.validFrom + 10;
                g.validUntil = p.validUntil == 0 ? p.validFrom + 20 : p.validUntil;
                if (g.validUntil <= g.validFrom) (g.validFrom, g.validUntil) = (p.validFrom, p.validUntil);
            }
            return;
        }
    }

    function _accredit(Grant memory g, address who) internal {
        string memory credentialType = typeName(g.typeIndex);
        // Grant-time oracle, independent of the contract's own check: what does the parent hold now?
        g.withinParentAtGrant =
            g.parent == ROOT || _withinParent(g.parent, credentialType, g.roleMask, g.validFrom, g.validUntil);
        g.parentVersion = reg.accreditationOf(g.parent, credentialType).version;
        uint32 versionBefore = reg.accreditationOf(g.node, credentialType).version;

        vm.prank(who);
        try reg.accredit(g.node, credentialType, rolesOf(g.roleMask), g.validFrom, g.validUntil) {
            _ok(this.accredit.selector);
            g.version = reg.accreditationOf(g.node, credentialType).version;
            if (g.version != versionBefore) {
                _grants.push(g);
                currentGrant[g.node][g.typeIndex] = _grants.length;
            }
        } catch {}
    }

    function withdrawAccreditation(uint256 nodeSeed, uint256 typeSeed, uint256 actorSeed) external {
        _count(this.withdrawAccreditation.selector);
        bytes32 node = _node(nodeSeed);
        address parentCtl = reg.controllerOf(reg.entity(node).parent);
        address actor = _pick(actorSeed, parentCtl);
        uint256 typeIndex = typeSeed % N_TYPES;
        vm.prank(actor);
        try reg.withdrawAccreditation(node, typeName(typeIndex)) {
            _ok(this.withdrawAccreditation.selector);
            currentGrant[node][typeIndex] = 0;
        } catch {}
    }

    function addKey(uint256 nodeSeed, uint256 keySeed, uint256 actorSeed) external {
        _count(this.addKey.selector);
        bytes32 node = _node(nodeSeed);
        address actor = _pick(actorSeed, reg.controllerOf(node));
        uint256 keyIndex = keySeed % 3;
        vm.prank(actor);
        try reg.addKey(node, keyName(keyIndex), "Multikey", hex"ed01aa", 2, 0, 0) {
            _ok(this.addKey.selector);
            _keys.push(KeyRef(node, keyIndex));
        } catch {}
    }

    function revokeKey(uint256 nodeSeed, uint256 keySeed, uint256 reasonSeed, uint256 sinceSeed, uint256 actorSeed)
        external
    {
        _count(this.revokeKey.selector);
        bytes32 node = _node(nodeSeed);
        address controller = reg.controllerOf(node);
        address actor = _pick(actorSeed, controller);
        uint256 keyIndex = keySeed % 3;
        ITrustRegistry.KeyRevocationReason reason = ITrustRegistry.KeyRevocationReason(reasonSeed % 3);
        vm.warp(1_000_000 + (sinceSeed >> 128) % 1000); // time moves on a little
        // mostly a valid time for the reason, sometimes anything (0, the future, a time on a rotation)
        // both casts take a value below 2^21
        // forge-lint: disable-next-line(unsafe-typecast)
        uint64 since = reason == ITrustRegistry.KeyRevocationReason.Compromised ? uint64(1 + sinceSeed % 1_000_000) : 0;
        // forge-lint: disable-next-line(unsafe-typecast)
        if ((sinceSeed >> 64) % 8 == 0) since = uint64((sinceSeed >> 32) % 1_002_000);
        vm.prank(actor);
        try reg.revokeKey(node, keyName(keyIndex), reason, since) {
            _ok(this.revokeKey.selector);
            if (actor != controller) ghost_keyRevokedByNonController = true;
            ghostKeyRevoked[node][keyIndex] = true;
            if (reason == ITrustRegistry.KeyRevocationReason.Compromised) {
                uint64 known = ghostCompromisedSince[node][keyIndex];
                if (known == 0 || since < known) ghostCompromisedSince[node][keyIndex] = since;
            }
        } catch {}
    }

    // ================================================================== actions: StatusRegistry

    function createList(uint256 ownerSeed, uint256 actorSeed, bool suspension) external {
        _count(this.createList.selector);
        bytes32 owner = _node(ownerSeed);
        address actor = _pickListActor(owner, actorSeed);
        bool authorised = _authorised(owner, actor);
        IStatusRegistry.Purpose purpose =
            suspension ? IStatusRegistry.Purpose.Suspension : IStatusRegistry.Purpose.Revocation;
        vm.prank(actor);
        try status.createList(owner, purpose, LIST_SIZE, "https://x.example/sl") returns (uint256 id) {
            _ok(this.createList.selector);
            if (!authorised) ghost_listCreatedByUnauthorised = true;
            lists.push(id);
            listOwner[id] = owner;
            listPurpose[id] = purpose;
        } catch {}
    }

    function setStatuses(uint256 listSeed, uint256 indexSeed, uint256 count, bool value, uint256 actorSeed) external {
        _count(this.setStatuses.selector);
        uint256 id = lists[listSeed % lists.length];
        bytes32 owner = listOwner[id];
        address actor = _pickListActor(owner, actorSeed);
        bool authorised = _authorised(owner, actor);
        bool revocation = listPurpose[id] == IStatusRegistry.Purpose.Revocation;
        uint256[] memory indices = new uint256[](1 + count % 12);
        for (uint256 i = 0; i < indices.length; ++i) {
            indices[i] = uint256(keccak256(abi.encode(indexSeed, i))) % LIST_SIZE;
        }
        vm.prank(actor);
        try status.setStatuses(id, indices, value) {
            _ok(this.setStatuses.selector);
            if (revocation && !value) ghost_revocationBitCleared = true; // a clearing batch went through
            if (revocation) _recordEverSet(id);
            if (!authorised) {
                ghost_bitsChangedByUnauthorised = true; // and the ghost bitmap is deliberately not updated
                return;
            }
            for (uint256 i = 0; i < indices.length; ++i) {
                uint256 mask = 1 << (255 - (indices[i] & 0xff));
                uint256 w = indices[i] >> 8;
                ghostWord[id][w] = value ? ghostWord[id][w] | mask : ghostWord[id][w] & ~mask;
            }
        } catch {
            // clearing a revocation list is refused by design: not an authorised, valid call
            if (authorised && !(revocation && !value)) ++ghost_authorisedSetStatusesRefused;
        }
    }

    /// @dev setStatus: one index, one in 16 just past the list (refused).
    function setSingleStatus(uint256 listSeed, uint256 indexSeed, bool value, uint256 actorSeed) external {
        _count(this.setSingleStatus.selector);
        uint256 id = lists[listSeed % lists.length];
        bytes32 owner = listOwner[id];
        address actor = _pickListActor(owner, actorSeed);
        bool authorised = _authorised(owner, actor);
        bool revocation = listPurpose[id] == IStatusRegistry.Purpose.Revocation;
        uint256 index = indexSeed % 16 == 0 ? LIST_SIZE : (indexSeed >> 4) % LIST_SIZE;
        vm.prank(actor);
        try status.setStatus(id, index, value) {
            _ok(this.setSingleStatus.selector);
            if (revocation && !value) ghost_revocationBitCleared = true;
            if (revocation) _recordEverSet(id);
            if (!authorised) {
                ghost_bitsChangedByUnauthorised = true;
                return;
            }
            uint256 mask = 1 << (255 - (index & 0xff));
            uint256 w = index >> 8;
            ghostWord[id][w] = value ? ghostWord[id][w] | mask : ghostWord[id][w] & ~mask;
        } catch {
            if (authorised && index < LIST_SIZE && !(revocation && !value)) ++ghost_authorisedSetStatusesRefused;
        }
    }

    /// @dev setStatusWords: 0 to 4 (word, mask) pairs, words repeated at will and one in 16 batches
    /// naming the word just past the list (refused whole); masks random or sparse.
    function setStatusWords(uint256 listSeed, uint256 wordSeed, uint256 count, bool value, uint256 actorSeed) external {
        _count(this.setStatusWords.selector);
        uint256 id = lists[listSeed % lists.length];
        bytes32 owner = listOwner[id];
        address actor = _pickListActor(owner, actorSeed);
        bool authorised = _authorised(owner, actor);
        bool revocation = listPurpose[id] == IStatusRegistry.Purpose.Revocation;
        uint256[] memory wordIndices = new uint256[](count % 5);
        uint256[] memory masks = new uint256[](wordIndices.length);
        bool inRange = true;
        for (uint256 i = 0; i < wordIndices.length; ++i) {
            uint256 r = uint256(keccak256(abi.encode(wordSeed, i)));
            wordIndices[i] = r % 16 == 0 ? LIST_WORDS : (r >> 4) % LIST_WORDS;
            if (wordIndices[i] >= LIST_WORDS) inRange = false;
            masks[i] = uint256(keccak256(abi.encode(r)));
            if ((r >> 8) % 2 == 0) {
                masks[i] &= uint256(keccak256(abi.encode(r, 1))) & uint256(keccak256(abi.encode(r, 2)));
            }
        }
        bool clearsRevocation = revocation && !value && wordIndices.length != 0;
        vm.prank(actor);
        try status.setStatusWords(id, wordIndices, masks, value) {
            _ok(this.setStatusWords.selector);
            if (clearsRevocation) ghost_revocationBitCleared = true;
            if (revocation) _recordEverSet(id);
            if (!authorised) {
                ghost_bitsChangedByUnauthorised = true; // and the ghost bitmap is deliberately not updated
                return;
            }
            for (uint256 i = 0; i < wordIndices.length; ++i) {
                uint256 w = wordIndices[i];
                ghostWord[id][w] = value ? ghostWord[id][w] | masks[i] : ghostWord[id][w] & ~masks[i];
            }
        } catch {
            if (authorised && inRange && !clearsRevocation) ++ghost_authorisedSetStatusesRefused;
        }
    }

    function _recordEverSet(uint256 id) internal {
        for (uint256 w = 0; w < LIST_WORDS; ++w) {
            everSet[id][w] |= status.word(id, w);
        }
    }

    function setDelegate(uint256 ownerSeed, uint256 delegateSeed, bool authorised, uint256 actorSeed) external {
        _count(this.setDelegate.selector);
        bytes32 owner = _node(ownerSeed);
        address controller = reg.controllerOf(owner);
        address actor = _pick(actorSeed, controller);
        address delegate = _actors[3 + delegateSeed % 5];
        vm.prank(actor);
        try status.setDelegate(owner, delegate, authorised) {
            _ok(this.setDelegate.selector);
            if (actor != controller) ghost_delegateSetByNonController = true;
            ghostDelegation[owner][delegate] = authorised ? ghostTerm[owner] + 1 : 0;
        } catch {}
    }

    // ================================================================== views for the invariants

    /// @notice Whether the ghost model holds `who` as a delegate of `owner` now: named by the
    /// controller of the owner's current term.
    function isGhostDelegate(bytes32 owner, address who) public view returns (bool) {
        return ghostDelegation[owner][who] == ghostTerm[owner] + 1;
    }

    function actorAt(uint256 i) external view returns (address) {
        return _actors[i];
    }

    function nodeCount() external view returns (uint256) {
        return nodes.length;
    }

    function creationCount() external view returns (uint256) {
        return _creations.length;
    }

    function creation(uint256 i) external view returns (Creation memory) {
        return _creations[i];
    }

    function revokedCount() external view returns (uint256) {
        return revoked.length;
    }

    function grantCount() external view returns (uint256) {
        return _grants.length;
    }

    function grant(uint256 i) external view returns (Grant memory) {
        return _grants[i];
    }

    function keyCount() external view returns (uint256) {
        return _keys.length;
    }

    function keyRef(uint256 i) external view returns (KeyRef memory) {
        return _keys[i];
    }

    function keyName(uint256 i) public pure returns (string memory) {
        return ["k0", "k1", "k2"][i];
    }

    function listCount() external view returns (uint256) {
        return lists.length;
    }

    function typeName(uint256 i) public pure returns (string memory) {
        return ["TypeA", "TypeB", "TypeC"][i];
    }

    function targetName(uint256 t) public pure returns (string memory) {
        return ["did:web:sp0", "did:web:sp1"][t];
    }

    function roleName(uint256 r) public pure returns (string memory) {
        return ["gold", "silver", "bronze"][r];
    }

    /// @notice The RoleGrant[] encoded by `mask` (bit t*N_ROLES + r = role r for target t).
    function rolesOf(uint256 mask) public pure returns (ITrustRegistry.RoleGrant[] memory roles) {
        uint256 targets;
        for (uint256 t = 0; t < N_TARGETS; ++t) {
            if ((mask >> (t * N_ROLES)) & 7 != 0) ++targets;
        }
        roles = new ITrustRegistry.RoleGrant[](targets);
        uint256 k;
        for (uint256 t = 0; t < N_TARGETS; ++t) {
            uint256 bits = (mask >> (t * N_ROLES)) & 7;
            if (bits == 0) continue;
            uint256 n = (bits & 1) + ((bits >> 1) & 1) + ((bits >> 2) & 1);
            roles[k].target = targetName(t);
            roles[k].names = new string[](n);
            uint256 j;
            for (uint256 r = 0; r < N_ROLES; ++r) {
                if ((bits >> r) & 1 == 1) roles[k].names[j++] = roleName(r);
            }
            ++k;
        }
    }

    // ================================================================== internals

    /// @dev The did:web challenge (the registration digest), computed independently of the contract.
    function _webProof(bytes32 parent, string memory label, string memory did, address controller)
        internal
        view
        returns (bytes memory)
    {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("TrustRegistry"),
                keccak256("1"),
                block.chainid,
                address(reg)
            )
        );
        bytes32 registration = keccak256(
            abi.encode(
                keccak256("Registration(bytes32 parent,string label,string did,address controller,uint64 expiry)"),
                parent,
                keccak256(bytes(label)),
                keccak256(bytes(did)),
                controller,
                type(uint64).max
            )
        );
        return abi.encodePacked(keccak256(abi.encodePacked("\x19\x01", domain, registration)));
    }

    function _withinParent(bytes32 parent, string memory credentialType, uint256 mask, uint64 from, uint64 until)
        internal
        view
        returns (bool)
    {
        ITrustRegistry.Accreditation memory held = reg.accreditationOf(parent, credentialType);
        if (!held.exists) return false;
        if (from < held.validFrom) return false;
        if (held.validUntil != 0 && (until == 0 || until > held.validUntil)) return false;
        for (uint256 t = 0; t < N_TARGETS; ++t) {
            for (uint256 r = 0; r < N_ROLES; ++r) {
                if ((mask >> (t * N_ROLES + r)) & 1 == 1) {
                    if (!reg.mayGrantRole(parent, credentialType, targetName(t), roleName(r))) return false;
                }
            }
        }
        return true;
    }

    /// @dev From the ghost delegation model, not the registry's own isDelegate.
    function _authorised(bytes32 owner, address who) internal view returns (bool) {
        (bool active,) = reg.effectiveStatus(owner);
        return active && (reg.controllerOf(owner) == who || isGhostDelegate(owner, who));
    }

    /// @dev Mostly a registered node, sometimes one that was never registered.
    function _node(uint256 seed) internal view returns (bytes32) {
        if (seed % 32 == 0) return keccak256(abi.encode("unregistered", seed % 3));
        return nodes[(seed >> 8) % nodes.length];
    }

    function _label(uint256 seed) internal pure returns (string memory) {
        return ["a", "b", "c", "d-1", "e_2", "f"][seed % 6];
    }

    /// @dev Three times in four the entitled address, otherwise any actor.
    function _pick(uint256 seed, address preferred) internal view returns (address) {
        if (seed % 4 != 0 && preferred != address(0)) return preferred;
        return _actors[(seed >> 8) % 8];
    }

    /// @dev Half the time the owner's controller, a quarter an address of the delegate pool, else anyone.
    function _pickListActor(bytes32 owner, uint256 seed) internal view returns (address) {
        uint256 r = seed % 4;
        if (r < 2) return reg.controllerOf(owner) == address(0) ? _actors[7] : reg.controllerOf(owner);
        if (r == 2) return _actors[3 + (seed >> 8) % 5];
        return _actors[(seed >> 8) % 8];
    }

    function _count(bytes4 selector) internal {
        ++calls[selector];
    }

    function _ok(bytes4 selector) internal {
        ++successes[selector];
    }

    function _toString(uint256 value) internal pure returns (string memory) {
        if (value == 0) return "0";
        uint256 digits;
        for (uint256 v = value; v != 0; v /= 10) {
            ++digits;
        }
        bytes memory out = new bytes(digits);
        for (uint256 v = value; v != 0; v /= 10) {
            out[--digits] = bytes1(uint8(48 + (v % 10)));
        }
        return string(out);
    }
}
