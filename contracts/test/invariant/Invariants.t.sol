// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {InvariantBase} from "../utils/TestBase.sol";
import {Handler} from "./Handler.sol";
import {TrustRegistry} from "../../src/TrustRegistry.sol";
import {StatusRegistry} from "../../src/StatusRegistry.sol";
import {ITrustRegistry} from "../../src/interfaces/ITrustRegistry.sol";
import {IStatusRegistry} from "../../src/interfaces/IStatusRegistry.sol";

/// @title RegistryInvariants
/// @notice Invariants of both registries under random sequences of Handler actions.
/// @dev The handler catches every registry revert itself, so any revert reaching the fuzzer is a
/// handler bug: each invariant runs with fail-on-revert.
contract RegistryInvariants is InvariantBase {
    bytes32 internal constant ROOT = bytes32(0);

    Handler internal handler;
    TrustRegistry internal reg;
    StatusRegistry internal status;

    function setUp() public {
        handler = new Handler("did:web:root.example");
        reg = handler.reg();
        status = handler.status();

        // registering is weighted double and accrediting triple: the tree must grow and deepen
        bytes4[] memory selectors = new bytes4[](16);
        selectors[0] = Handler.register.selector;
        selectors[1] = Handler.register.selector;
        selectors[2] = Handler.setController.selector;
        selectors[3] = Handler.setStatus.selector;
        selectors[4] = Handler.accredit.selector;
        selectors[5] = Handler.accredit.selector;
        selectors[6] = Handler.accredit.selector;
        selectors[7] = Handler.withdrawAccreditation.selector;
        selectors[8] = Handler.createList.selector;
        selectors[9] = Handler.setStatuses.selector;
        selectors[10] = Handler.setDelegate.selector;
        selectors[11] = Handler.setStatusWords.selector;
        selectors[12] = Handler.setSingleStatus.selector;
        selectors[13] = Handler.addKey.selector;
        selectors[14] = Handler.revokeKey.selector;
        selectors[15] = Handler.releaseDid.selector;
        targetContract(address(handler));
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @notice Only a parent's controller ever created a child, and only while the parent was active.
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_onlyParentControllerCreatesChildren() public view {
        uint256 n = handler.creationCount();
        for (uint256 i = 0; i < n; ++i) {
            Handler.Creation memory c = handler.creation(i);
            assertEq(c.by, c.parentControllerAtCall, "creator was the parent's controller at the time");
            assertTrue(c.parentActiveAtCall, "parent and its ancestors were active");
            assertEq(reg.entity(c.node).parent, c.parent, "stored parent");
        }
        // nothing exists that the handler did not see being created (every label of the pool under every node)
        uint256 nodeCount = handler.nodeCount();
        uint256 existing;
        for (uint256 i = 0; i < nodeCount; ++i) {
            bytes32 parent = handler.nodes(i);
            string[6] memory pool = ["a", "b", "c", "d-1", "e_2", "f"];
            for (uint256 l = 0; l < 6; ++l) {
                bytes32 child = reg.childNode(parent, pool[l]);
                if (reg.entity(child).status != ITrustRegistry.EntityStatus.None) {
                    assertTrue(handler.isKnown(child), "every existing child was created by a recorded register");
                    ++existing;
                }
            }
        }
        assertEq(existing, n, "exactly the recorded creations exist");
    }

    /// @notice Full names (node ids) and DIDs are unique; each DID resolves back to its node.
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_namesAndDidsUnique() public view {
        uint256 n = handler.nodeCount();
        bytes32[] memory nodes = new bytes32[](n);
        bytes32[] memory didHashes = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            nodes[i] = handler.nodes(i);
            string memory did = handler.dids(i);
            // a released DID (empty here) belongs to no node; distinct placeholders keep it out of the pairs
            didHashes[i] = bytes(did).length == 0 ? keccak256(abi.encode("released", i)) : keccak256(bytes(did));
            assertEq(reg.entity(nodes[i]).did, did, "stored DID (empty once released)");
            if (bytes(did).length != 0) {
                (bool found, bytes32 node) = reg.nodeOfDid(did);
                assertTrue(found, "DID resolves");
                assertEq(node, nodes[i], "DID maps back to its node");
            }
            if (i > 0) {
                bytes32 parent = reg.entity(nodes[i]).parent;
                assertEq(nodes[i], reg.childNode(parent, handler.labels(i)), "node = child of parent by label");
            }
        }
        for (uint256 i = 0; i < n; ++i) {
            for (uint256 j = i + 1; j < n; ++j) {
                assertTrue(nodes[i] != nodes[j], "no two registrations share a node");
                assertTrue(didHashes[i] != didHashes[j], "no two nodes share a DID");
            }
        }
    }

    /// @notice No accreditation exceeds the parent's: each one in force was granted by the parent's
    /// controller while the parent held the type, a containing window and every granted role; while
    /// the parent's accreditation is unchanged since, that still holds; the child's role set is exactly
    /// the granted one.
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_accreditationsWithinParent() public view {
        uint256 n = handler.nodeCount();
        for (uint256 i = 1; i < n; ++i) {
            bytes32 node = handler.nodes(i);
            bytes32 parent = reg.entity(node).parent;
            for (uint256 t = 0; t < handler.N_TYPES(); ++t) {
                string memory credentialType = handler.typeName(t);
                ITrustRegistry.Accreditation memory a = reg.accreditationOf(node, credentialType);
                uint256 g = handler.currentGrant(node, t);
                assertEq(a.exists, g != 0, "an accreditation is in force iff a recorded grant is");
                if (!a.exists) continue;
                Handler.Grant memory grant = handler.grant(g - 1);
                assertEq(grant.version, a.version, "in-force grant is the last real change");
                assertEq(grant.validFrom, a.validFrom);
                assertEq(grant.validUntil, a.validUntil);
                assertTrue(grant.byParentController, "granted by the parent's controller");
                _checkRoleSet(node, credentialType, grant.roleMask);
                if (parent == ROOT) continue;
                assertTrue(grant.withinParentAtGrant, "within the parent's accreditation at grant time");
                ITrustRegistry.Accreditation memory p = reg.accreditationOf(parent, credentialType);
                if (p.version != grant.parentVersion) continue; // the parent's was replaced later
                assertTrue(p.exists, "parent holds the type");
                assertTrue(a.validFrom >= p.validFrom, "starts inside the parent's window");
                assertTrue(
                    p.validUntil == 0 || (a.validUntil != 0 && a.validUntil <= p.validUntil),
                    "ends inside the parent's window"
                );
                for (uint256 bit = 0; bit < 6; ++bit) {
                    if ((grant.roleMask >> bit) & 1 == 0) continue;
                    assertTrue(
                        reg.mayGrantRole(
                            parent, credentialType, handler.targetName(bit / 3), handler.roleName(bit % 3)
                        ),
                        "parent may grant every role it handed down"
                    );
                }
            }
        }
    }

    function _checkRoleSet(bytes32 node, string memory credentialType, uint256 mask) internal view {
        for (uint256 bit = 0; bit < 6; ++bit) {
            bool granted =
                reg.mayGrantRole(node, credentialType, handler.targetName(bit / 3), handler.roleName(bit % 3));
            assertEq(granted, (mask >> bit) & 1 == 1, "role set equals the last grant");
        }
    }

    /// @notice Every entity's stored depth is its number of ancestors below the anchor, never above MAX_DEPTH.
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_depthIsAncestorCountWithinCap() public view {
        uint256 n = handler.nodeCount();
        for (uint256 i = 1; i < n; ++i) {
            bytes32 node = handler.nodes(i);
            uint256 ancestors;
            for (bytes32 current = node; current != ROOT; current = reg.entity(current).parent) {
                ++ancestors;
            }
            assertEq(reg.depthOf(node), ancestors, "stored depth");
            assertTrue(ancestors <= reg.MAX_DEPTH(), "within the cap");
        }
    }

    /// @notice Once revoked, an entity stays revoked; only parents change statuses; only controllers hand over control.
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_revokedIsFinal() public view {
        uint256 n = handler.revokedCount();
        for (uint256 i = 0; i < n; ++i) {
            assertEq(
                uint256(reg.entity(handler.revoked(i)).status),
                uint256(ITrustRegistry.EntityStatus.Revoked),
                "revoked stays revoked"
            );
        }
        assertFalse(handler.ghost_revokedEntityChanged(), "a revoked entity's status changed");
        assertFalse(handler.ghost_statusChangedByNonParent(), "a status was changed by someone not the parent");
        assertFalse(handler.ghost_controllerChangedByNonController(), "control was taken by a non-controller");
        assertEq(uint256(reg.entity(ROOT).status), uint256(ITrustRegistry.EntityStatus.Active), "root stays active");
    }

    /// @notice A DID was released only by the controller of an acting ancestor of its holder, with the
    /// holder or an entity between them not Active (checked against an independent oracle).
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_didReleasedOnlyFromDisputedDescendants() public view {
        assertFalse(handler.ghost_didReleasedWrongly(), "a DID was released where the rule forbids it");
    }

    /// @notice A key revocation is final and a compromise only widens: every key the handler saw revoked
    /// is revoked, every key it saw declared compromised is still compromised since no later than the
    /// earliest time accepted; only an entity's controller revoked its keys.
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_keyRevocationFinalAndCompromiseOnlyWidens() public view {
        assertFalse(handler.ghost_keyRevokedByNonController(), "a key was revoked by someone not its controller");
        uint256 n = handler.keyCount();
        for (uint256 i = 0; i < n; ++i) {
            Handler.KeyRef memory ref = handler.keyRef(i);
            ITrustRegistry.Key memory key = reg.keyOf(ref.node, handler.keyName(ref.keyIndex));
            assertTrue(key.exists, "an added key exists");
            if (handler.ghostKeyRevoked(ref.node, ref.keyIndex)) assertTrue(key.revoked, "revoked stays revoked");
            uint64 since = handler.ghostCompromisedSince(ref.node, ref.keyIndex);
            if (since != 0) {
                assertEq(
                    uint256(key.revocationReason),
                    uint256(ITrustRegistry.KeyRevocationReason.Compromised),
                    "a compromise stays recorded"
                );
                assertEq(key.compromisedSince, since, "the compromise starts at the earliest time accepted");
            } else {
                assertEq(key.compromisedSince, 0, "no compromise time without a compromise");
            }
        }
    }

    /// @notice A bit changes only through its list owner's controller or a delegate named by that
    /// controller (the ghost model: a delegation ends with a controller change): the ghost bitmap,
    /// updated only on authorised successful calls, equals the stored words; every authorised, valid
    /// call succeeded.
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_bitsChangeOnlyByOwnerOrDelegate() public view {
        assertFalse(
            handler.ghost_bitsChangedByUnauthorised(),
            "setStatus, setStatuses or setStatusWords succeeded for an unauthorised caller"
        );
        assertFalse(handler.ghost_listCreatedByUnauthorised(), "createList succeeded for an unauthorised caller");
        assertEq(
            handler.ghost_authorisedSetStatusesRefused(),
            0,
            "an authorised, valid setStatus, setStatuses or setStatusWords was refused"
        );
        uint256 n = handler.listCount();
        assertEq(status.listCount(), n, "every list was created through the handler");
        for (uint256 i = 0; i < n; ++i) {
            uint256 id = handler.lists(i);
            assertEq(status.statusList(id).owner, handler.listOwner(id));
            for (uint256 w = 0; w < handler.LIST_WORDS(); ++w) {
                assertEq(status.word(id, w), handler.ghostWord(id, w), "stored word equals the ghost word");
            }
        }
    }

    /// @notice Revocation is final: no batch clearing a revocation list ever succeeded, and every bit
    /// of a revocation list ever seen set is still set.
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_revocationBitsAreMonotonic() public view {
        assertFalse(handler.ghost_revocationBitCleared(), "a clearing batch on a revocation list succeeded");
        uint256 n = handler.listCount();
        for (uint256 i = 0; i < n; ++i) {
            uint256 id = handler.lists(i);
            if (status.statusList(id).purpose != IStatusRegistry.Purpose.Revocation) continue;
            for (uint256 w = 0; w < handler.LIST_WORDS(); ++w) {
                uint256 seen = handler.everSet(id, w);
                assertEq(status.word(id, w) & seen, seen, "a revoked entry stays revoked");
            }
        }
    }

    /// @notice A delegate acts only for the controller that named it: isDelegate agrees with the ghost
    /// model (delegations end with a controller change, even a change back) for every node and
    /// every address of the delegate pool; only controllers named delegates.
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_delegatesBoundToNamingController() public view {
        assertFalse(handler.ghost_delegateSetByNonController(), "a delegate was named by a non-controller");
        uint256 n = handler.nodeCount();
        for (uint256 i = 0; i < n; ++i) {
            bytes32 node = handler.nodes(i);
            for (uint256 a = 3; a < 8; ++a) {
                address who = handler.actorAt(a);
                assertEq(status.isDelegate(node, who), handler.isGhostDelegate(node, who), "isDelegate = model");
            }
        }
    }
}
