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

    /// @dev The expiry the helpers' proofs carry (a method with a proof), far in the future.
    uint64 internal constant PROOF_EXPIRY = type(uint64).max;

    /// @dev The registration digest, computed here independently of the contract's registrationDigest.
    function _digest(bytes32 parent, string memory label, string memory did, address controller, uint64 expiry)
        internal
        view
        returns (bytes32)
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
                expiry
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domain, registration));
    }

    /// @dev The proof kind of `did`'s method, decided here independently of DidControl.
    function _kind(string memory did) internal pure returns (ITrustRegistry.DidProofKind) {
        bytes memory d = bytes(did);
        if (_prefixed(d, "did:ethr:") || _prefixed(d, "did:pkh:eip155:")) {
            return _endsWithAddress(d) ? ITrustRegistry.DidProofKind.Secp256k1 : ITrustRegistry.DidProofKind.Signature;
        }
        if (_prefixed(d, "did:key:") || _prefixed(d, "did:jwk:") || _prefixed(d, "did:pkh:")) {
            return ITrustRegistry.DidProofKind.Signature;
        }
        if (_prefixed(d, "did:web:")) return ITrustRegistry.DidProofKind.WebChallenge;
        return ITrustRegistry.DidProofKind.None;
    }

    function _prefixed(bytes memory value, bytes memory prefix) private pure returns (bool) {
        if (value.length < prefix.length) return false;
        for (uint256 i = 0; i < prefix.length; ++i) {
            if (value[i] != prefix[i]) return false;
        }
        return true;
    }

    function _endsWithAddress(bytes memory d) private pure returns (bool) {
        uint256 n = d.length;
        if (n < 43 || d[n - 43] != ":" || d[n - 42] != "0" || (d[n - 41] != "x" && d[n - 41] != "X")) return false;
        for (uint256 i = n - 40; i < n; ++i) {
            bytes1 c = d[i];
            bool hex_ = (c >= "0" && c <= "9") || (c >= "a" && c <= "f") || (c >= "A" && c <= "F");
            if (!hex_) return false;
        }
        return true;
    }

    /// @dev The proof expiry the helpers give `did`: none for a method without proof.
    function _expiry(string memory did) internal pure returns (uint64) {
        return _kind(did) == ITrustRegistry.DidProofKind.None ? 0 : PROOF_EXPIRY;
    }

    /// @dev A proof the contract accepts for every method but Secp256k1 (whose tests sign with
    /// vm.sign): the digest for did:web, 64 bytes standing for an off-chain signature, else nothing.
    function _proof(bytes32 parent, string memory label, string memory did, address controller)
        internal
        view
        returns (bytes memory)
    {
        ITrustRegistry.DidProofKind kind = _kind(did);
        if (kind == ITrustRegistry.DidProofKind.WebChallenge) {
            return abi.encodePacked(_digest(parent, label, did, controller, PROOF_EXPIRY));
        }
        if (kind == ITrustRegistry.DidProofKind.Signature) {
            return abi.encodePacked(keccak256("sig"), keccak256("nature"));
        }
        return "";
    }

    /// @dev A secp256k1 proof by `privateKey` (r, s, v as the contract reads them).
    function _signedProof(
        uint256 privateKey,
        bytes32 parent,
        string memory label,
        string memory did,
        address controller,
        uint64 expiry
    ) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(privateKey, _digest(parent, label, did, controller, expiry));
        return abi.encodePacked(r, s, v);
    }

    function _register(bytes32 parent, string memory label, string memory did, address controller, address by)
        internal
        returns (bytes32 node)
    {
        vm.prank(by);
        node = reg.register(parent, label, did, controller, _expiry(did), _proof(parent, label, did, controller));
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
