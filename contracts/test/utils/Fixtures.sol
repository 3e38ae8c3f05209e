// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TestBase} from "./TestBase.sol";
import {TrustRegistry} from "../../src/TrustRegistry.sol";
import {StatusRegistry} from "../../src/StatusRegistry.sol";
import {ITrustRegistry} from "../../src/interfaces/ITrustRegistry.sol";

/// @title Fixtures
/// @notice A small tree shared by the unit tests:
///   root (rootCtl) ─┬─ "issuer" (issuerCtl) ── "branch" (branchCtl)
///                   └─ "other"  (otherCtl)
abstract contract Fixtures is TestBase {
    string internal constant ROOT_DID = "did:web:root.example";
    string internal constant ISSUER_DID = "did:web:issuer.example";
    string internal constant BRANCH_DID = "did:web:branch.example";
    string internal constant OTHER_DID = "did:web:other.example";

    bytes32 internal constant ROOT = bytes32(0);

    TrustRegistry internal reg;
    StatusRegistry internal status;

    address internal rootCtl;
    address internal issuerCtl;
    address internal branchCtl;
    address internal otherCtl;
    address internal stranger;

    bytes32 internal issuer;
    bytes32 internal branch;
    bytes32 internal other;

    function setUp() public virtual {
        rootCtl = vm.addr(1);
        issuerCtl = vm.addr(2);
        branchCtl = vm.addr(3);
        otherCtl = vm.addr(4);
        stranger = vm.addr(99);
        vm.label(rootCtl, "rootCtl");
        vm.label(issuerCtl, "issuerCtl");
        vm.label(branchCtl, "branchCtl");
        vm.label(otherCtl, "otherCtl");
        vm.label(stranger, "stranger");

        vm.prank(rootCtl);
        reg = new TrustRegistry(ROOT_DID);
        status = new StatusRegistry(reg);

        issuer = _register(ROOT, "issuer", ISSUER_DID, issuerCtl, rootCtl);
        branch = _register(issuer, "branch", BRANCH_DID, branchCtl, issuerCtl);
        other = _register(ROOT, "other", OTHER_DID, otherCtl, rootCtl);
    }

    // ------------------------------------------------------------------ helpers

    function _register(bytes32 parent, string memory label, string memory did, address controller, address by)
        internal
        returns (bytes32 node)
    {
        vm.prank(by);
        node = reg.register(parent, label, did, controller);
    }

    function _setStatus(bytes32 node, ITrustRegistry.EntityStatus s, address by) internal {
        vm.prank(by);
        reg.setStatus(node, s);
    }

    function _accredit(
        bytes32 node,
        string memory credentialType,
        ITrustRegistry.RoleGrant[] memory roles,
        uint64 validFrom,
        uint64 validUntil,
        address by
    ) internal {
        vm.prank(by);
        reg.accredit(node, credentialType, roles, validFrom, validUntil);
    }

    function _noRoles() internal pure returns (ITrustRegistry.RoleGrant[] memory) {
        return new ITrustRegistry.RoleGrant[](0);
    }

    function _roles(string memory target, string memory r1)
        internal
        pure
        returns (ITrustRegistry.RoleGrant[] memory g)
    {
        g = new ITrustRegistry.RoleGrant[](1);
        g[0].target = target;
        g[0].names = new string[](1);
        g[0].names[0] = r1;
    }

    function _roles(string memory target, string memory r1, string memory r2)
        internal
        pure
        returns (ITrustRegistry.RoleGrant[] memory g)
    {
        g = new ITrustRegistry.RoleGrant[](1);
        g[0].target = target;
        g[0].names = new string[](2);
        g[0].names[0] = r1;
        g[0].names[1] = r2;
    }

    function _repeat(bytes1 c, uint256 n) internal pure returns (string memory) {
        bytes memory out = new bytes(n);
        for (uint256 i = 0; i < n; ++i) {
            out[i] = c;
        }
        return string(out);
    }

    function _eq(ITrustRegistry.EntityStatus s) internal pure returns (uint256) {
        return uint256(s);
    }

    function _logCount() internal returns (uint256) {
        return vm.getRecordedLogs().length;
    }
}
