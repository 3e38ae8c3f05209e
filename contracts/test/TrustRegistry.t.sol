// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixtures} from "./utils/Fixtures.sol";
import {TrustRegistry} from "../src/TrustRegistry.sol";
import {ITrustRegistry} from "../src/interfaces/ITrustRegistry.sol";

/// @title TrustRegistryTest
/// @notice One test per rule and per custom error of TrustRegistry.
contract TrustRegistryTest is Fixtures {
    ITrustRegistry.EntityStatus internal constant NONE = ITrustRegistry.EntityStatus.None;
    ITrustRegistry.EntityStatus internal constant ACTIVE = ITrustRegistry.EntityStatus.Active;
    ITrustRegistry.EntityStatus internal constant SUSPENDED = ITrustRegistry.EntityStatus.Suspended;
    ITrustRegistry.KeyRevocationReason internal constant SUPERSEDED = ITrustRegistry.KeyRevocationReason.Superseded;
    ITrustRegistry.DidProofKind internal constant NO_PROOF = ITrustRegistry.DidProofKind.None;
    ITrustRegistry.DidProofKind internal constant SECP256K1 = ITrustRegistry.DidProofKind.Secp256k1;
    ITrustRegistry.DidProofKind internal constant SIGNATURE = ITrustRegistry.DidProofKind.Signature;
    ITrustRegistry.DidProofKind internal constant WEB = ITrustRegistry.DidProofKind.WebChallenge;
    ITrustRegistry.KeyRevocationReason internal constant COMPROMISED = ITrustRegistry.KeyRevocationReason.Compromised;
    ITrustRegistry.EntityStatus internal constant REVOKED = ITrustRegistry.EntityStatus.Revoked;

    string internal constant TYPE = "CustomerCredential";
    string internal constant TARGET = "did:web:sp.example";
    string internal constant JWK =
        '{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}';

    // ================================================================== constructor / root

    function test_constructor_setsRootControllerIfDeployed() public view {
        ITrustRegistry.Entity memory root = reg.entity(ROOT);
        assertEq(root.controller, rootCtl, "root controller is the deployer");
        assertEq(reg.controllerOf(ROOT), rootCtl);
        assertEq(root.parent, ROOT);
        assertEq(_eq(root.status), _eq(ACTIVE));
        assertEq(root.did, ROOT_DID);
    }

    function test_constructor_mapsRootDidIfDeployed() public view {
        (bool found, bytes32 node) = reg.nodeOfDid(ROOT_DID);
        assertTrue(found, "root DID resolves");
        assertEq(node, ROOT);
    }

    function test_constructor_emitsEntityRegisteredIfDeployed() public {
        address deployer = vm.addr(7);
        vm.expectEmit(true, true, true, true);
        emit ITrustRegistry.EntityRegistered(ROOT, ROOT, "", "did:web:anchor", deployer, NO_PROOF, 0, "", deployer);
        vm.prank(deployer);
        new TrustRegistry("did:web:anchor");
    }

    // ================================================================== register

    function test_register_emitsEntityRegisteredIfCallerIsParentController() public {
        bytes32 expected = keccak256(abi.encodePacked(ROOT, keccak256("newco")));
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.EntityRegistered(
            expected,
            ROOT,
            "newco",
            "did:web:newco",
            vm.addr(10),
            WEB,
            PROOF_EXPIRY,
            _proof(ROOT, "newco", "did:web:newco", vm.addr(10)),
            rootCtl
        );
        vm.prank(rootCtl);
        bytes32 node = reg.register(
            ROOT,
            "newco",
            "did:web:newco",
            vm.addr(10),
            _expiry("did:web:newco"),
            _proof(ROOT, "newco", "did:web:newco", vm.addr(10))
        );
        assertEq(node, expected, "node = keccak256(parent, keccak256(label))");
    }

    function test_register_storesEntityIfCallerIsParentController() public view {
        bytes32 expected = keccak256(abi.encodePacked(issuer, keccak256(bytes("branch"))));
        assertEq(branch, expected, "node derivation as in ENS");
        assertEq(reg.childNode(issuer, "branch"), expected);
        ITrustRegistry.Entity memory e = reg.entity(branch);
        assertEq(e.parent, issuer);
        assertEq(e.controller, branchCtl);
        assertEq(_eq(e.status), _eq(ACTIVE));
        assertEq(e.did, BRANCH_DID);
        (bool found, bytes32 node) = reg.nodeOfDid(BRANCH_DID);
        assertTrue(found);
        assertEq(node, branch);
    }

    function test_register_emitsEntityRegisteredIfCallerIsNonRootParentController() public {
        bytes32 expected = keccak256(abi.encodePacked(branch, keccak256("desk-1")));
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.EntityRegistered(
            expected,
            branch,
            "desk-1",
            "did:web:desk1",
            vm.addr(11),
            WEB,
            PROOF_EXPIRY,
            _proof(branch, "desk-1", "did:web:desk1", vm.addr(11)),
            branchCtl
        );
        vm.prank(branchCtl);
        assertEq(
            reg.register(
                branch,
                "desk-1",
                "did:web:desk1",
                vm.addr(11),
                _expiry("did:web:desk1"),
                _proof(branch, "desk-1", "did:web:desk1", vm.addr(11))
            ),
            expected
        );
    }

    function test_register_revertsIfCallerIsGrandparent() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, branch, rootCtl));
        reg.register(
            branch,
            "desk",
            "did:web:desk",
            vm.addr(11),
            _expiry("did:web:desk"),
            _proof(branch, "desk", "did:web:desk", vm.addr(11))
        );
    }

    function test_register_revertsIfCallerIsStranger() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, ROOT, stranger));
        reg.register(
            ROOT,
            "desk",
            "did:web:desk",
            stranger,
            _expiry("did:web:desk"),
            _proof(ROOT, "desk", "did:web:desk", stranger)
        );
    }

    function test_register_revertsIfCallerIsChildItself() public {
        // the child's controller cannot register siblings under its own parent
        vm.prank(branchCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, issuer, branchCtl));
        reg.register(
            issuer,
            "sibling",
            "did:web:sibling",
            branchCtl,
            _expiry("did:web:sibling"),
            _proof(issuer, "sibling", "did:web:sibling", branchCtl)
        );
    }

    function test_register_revertsIfCallerIsSiblingController() public {
        vm.prank(otherCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, issuer, otherCtl));
        reg.register(
            issuer,
            "desk",
            "did:web:desk",
            otherCtl,
            _expiry("did:web:desk"),
            _proof(issuer, "desk", "did:web:desk", otherCtl)
        );
    }

    function test_register_revertsIfParentUnknown() public {
        bytes32 ghost = reg.childNode(ROOT, "ghost");
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__UnknownEntity.selector, ghost));
        reg.register(
            ghost,
            "desk",
            "did:web:desk",
            rootCtl,
            _expiry("did:web:desk"),
            _proof(ghost, "desk", "did:web:desk", rootCtl)
        );
    }

    function test_register_revertsIfParentSuspended() public {
        _setStatus(issuer, SUSPENDED, rootCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotActive.selector, issuer, SUSPENDED));
        reg.register(
            issuer,
            "desk",
            "did:web:desk",
            issuerCtl,
            _expiry("did:web:desk"),
            _proof(issuer, "desk", "did:web:desk", issuerCtl)
        );
    }

    function test_register_revertsIfParentAncestorSuspended() public {
        _setStatus(issuer, SUSPENDED, rootCtl);
        vm.prank(branchCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotActive.selector, issuer, SUSPENDED));
        reg.register(
            branch,
            "desk",
            "did:web:desk",
            branchCtl,
            _expiry("did:web:desk"),
            _proof(branch, "desk", "did:web:desk", branchCtl)
        );
    }

    function test_register_revertsIfParentRevoked() public {
        _setStatus(issuer, REVOKED, rootCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotActive.selector, issuer, REVOKED));
        reg.register(
            issuer,
            "desk",
            "did:web:desk",
            issuerCtl,
            _expiry("did:web:desk"),
            _proof(issuer, "desk", "did:web:desk", issuerCtl)
        );
    }

    function test_register_succeedsIfParentReactivated() public {
        _setStatus(issuer, SUSPENDED, rootCtl);
        _setStatus(issuer, ACTIVE, rootCtl);
        bytes32 node = _register(issuer, "desk", "did:web:desk", issuerCtl, issuerCtl);
        assertEq(_eq(reg.entity(node).status), _eq(ACTIVE));
    }

    function _expectInvalidLabel(string memory label) internal {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__InvalidLabel.selector, label));
        reg.register(ROOT, label, "did:web:x", rootCtl, _expiry("did:web:x"), _proof(ROOT, label, "did:web:x", rootCtl));
    }

    function test_register_revertsIfLabelEmpty() public {
        _expectInvalidLabel("");
    }

    function test_register_revertsIfLabelIs64Bytes() public {
        _expectInvalidLabel(_repeat("a", 64));
    }

    function test_register_succeedsIfLabelIs63Bytes() public {
        string memory label = _repeat("a", 63);
        bytes32 node = _register(ROOT, label, "did:web:x", rootCtl, rootCtl);
        assertEq(node, reg.childNode(ROOT, label));
    }

    function test_register_revertsIfLabelHasUppercase() public {
        _expectInvalidLabel("Issuer");
    }

    function test_register_revertsIfLabelHasDot() public {
        _expectInvalidLabel("a.b");
    }

    function test_register_revertsIfLabelHasSpace() public {
        _expectInvalidLabel("a b");
    }

    function test_register_revertsIfLabelHasNonAsciiByte() public {
        _expectInvalidLabel(unicode"café");
    }

    function test_register_revertsIfLabelHasColonOrSlash() public {
        _expectInvalidLabel("a:b");
        _expectInvalidLabel("a/b");
    }

    function test_register_succeedsIfLabelUsesDigitsHyphenUnderscore() public {
        bytes32 node = _register(ROOT, "sub-registry_2-0", "did:web:x", rootCtl, rootCtl);
        assertEq(node, reg.childNode(ROOT, "sub-registry_2-0"));
        _register(ROOT, "0123456789", "did:web:y", rootCtl, rootCtl);
        _register(ROOT, "-", "did:web:z", rootCtl, rootCtl);
        _register(ROOT, "_", "did:web:w", rootCtl, rootCtl);
    }

    function test_register_revertsIfDidTaken() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__DidTaken.selector, BRANCH_DID, branch));
        reg.register(ROOT, "x", BRANCH_DID, rootCtl, _expiry(BRANCH_DID), _proof(ROOT, "x", BRANCH_DID, rootCtl));
    }

    function test_register_revertsIfDidIsRootDid() public {
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__DidTaken.selector, ROOT_DID, ROOT));
        reg.register(issuer, "x", ROOT_DID, issuerCtl, _expiry(ROOT_DID), _proof(issuer, "x", ROOT_DID, issuerCtl));
    }

    function test_register_revertsIfDidTakenByRevokedEntity() public {
        _setStatus(branch, REVOKED, issuerCtl);
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__DidTaken.selector, BRANCH_DID, branch));
        reg.register(ROOT, "x", BRANCH_DID, rootCtl, _expiry(BRANCH_DID), _proof(ROOT, "x", BRANCH_DID, rootCtl));
    }

    function test_register_revertsIfControllerZero() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__ZeroController.selector));
        reg.register(
            ROOT, "x", "did:web:x", address(0), _expiry("did:web:x"), _proof(ROOT, "x", "did:web:x", address(0))
        );
    }

    function test_register_revertsIfLabelExists() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__EntityExists.selector, issuer, "issuer"));
        reg.register(
            ROOT,
            "issuer",
            "did:web:fresh",
            rootCtl,
            _expiry("did:web:fresh"),
            _proof(ROOT, "issuer", "did:web:fresh", rootCtl)
        );
    }

    function test_register_revertsIfLabelOfRevokedEntity() public {
        _setStatus(branch, REVOKED, issuerCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__EntityExists.selector, branch, "branch"));
        reg.register(
            issuer,
            "branch",
            "did:web:fresh",
            issuerCtl,
            _expiry("did:web:fresh"),
            _proof(issuer, "branch", "did:web:fresh", issuerCtl)
        );
    }

    function test_register_succeedsIfSameLabelUnderOtherParent() public {
        bytes32 node = _register(other, "branch", "did:web:other-branch", otherCtl, otherCtl);
        assertTrue(node != branch, "same label, different parent, different node");
        assertEq(node, reg.childNode(other, "branch"));
    }

    /// @dev Registers a chain of `levels` entities below `from` (whose controller is `by`), each
    /// controlled by rootCtl; returns the last.
    function _chain(bytes32 from, address by, uint256 levels) internal returns (bytes32 node) {
        node = from;
        for (uint256 i = 0; i < levels; ++i) {
            string memory n = toString(i);
            node = _register(node, string.concat("l", n), string.concat("did:web:level", n, ".example"), rootCtl, by);
            by = rootCtl;
        }
    }

    function test_depthOf_returnsLevelsBelowAnchorIfRegistered() public view {
        assertEq(reg.depthOf(ROOT), 0);
        assertEq(reg.depthOf(issuer), 1);
        assertEq(reg.depthOf(branch), 2);
        assertEq(reg.depthOf(other), 1);
        assertEq(reg.depthOf(reg.childNode(ROOT, "ghost")), 0);
    }

    function test_register_succeedsIfChildLandsAtMaxDepth() public {
        assertEq(reg.MAX_DEPTH(), 16);
        bytes32 deepest = _chain(ROOT, rootCtl, 16);
        assertEq(reg.depthOf(deepest), 16);
        (bool active,) = reg.effectiveStatus(deepest);
        assertTrue(active);
    }

    function test_register_revertsIfParentAtMaxDepth() public {
        bytes32 deepest = _chain(ROOT, rootCtl, 16);
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__DepthExceeded.selector, deepest, 16));
        reg.register(
            deepest,
            "too-deep",
            "did:web:too-deep.example",
            rootCtl,
            _expiry("did:web:too-deep.example"),
            _proof(deepest, "too-deep", "did:web:too-deep.example", rootCtl)
        );
    }

    function test_register_revertsIfParentAtMaxDepthBelowNonRootBranch() public {
        bytes32 deepest = _chain(branch, branchCtl, 14); // branch is at depth 2
        assertEq(reg.depthOf(deepest), 16);
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__DepthExceeded.selector, deepest, 16));
        reg.register(
            deepest,
            "too-deep",
            "did:web:too-deep.example",
            rootCtl,
            _expiry("did:web:too-deep.example"),
            _proof(deepest, "too-deep", "did:web:too-deep.example", rootCtl)
        );
    }

    // ================================================================== register: proof of control (issue 14 item 4)

    uint256 internal constant DID_KEY = 0xA11CE;

    function _ethrDid(uint256 privateKey) internal pure returns (string memory) {
        return string.concat("did:ethr:", toHex(abi.encodePacked(vm.addr(privateKey))));
    }

    function test_registrationDigest_isTheEip712DigestOfTheRegistration() public view {
        assertEq(
            reg.registrationDigest(issuer, "desk", "did:web:desk", vm.addr(11), 77),
            _digest(issuer, "desk", "did:web:desk", vm.addr(11), 77)
        );
    }

    function test_register_emitsProofIfEthrDidSignedTheRegistration() public {
        string memory did = _ethrDid(DID_KEY);
        bytes memory proof = _signedProof(DID_KEY, issuer, "desk", did, vm.addr(11), 1_000);
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.EntityRegistered(
            reg.childNode(issuer, "desk"), issuer, "desk", did, vm.addr(11), SECP256K1, 1_000, proof, issuerCtl
        );
        vm.prank(issuerCtl);
        reg.register(issuer, "desk", did, vm.addr(11), 1_000, proof);
    }

    function test_register_succeedsIfPkhOrNetworkEthrDidSignedInAnyCase() public {
        bytes memory lower = bytes(toHex(abi.encodePacked(vm.addr(DID_KEY))));
        for (uint256 i = 2; i < lower.length; ++i) {
            if (lower[i] >= "a") lower[i] = bytes1(uint8(lower[i]) - 32); // 0x + upper-case hex
        }
        string memory ethr = string.concat("did:ethr:sepolia:", string(lower));
        vm.prank(issuerCtl);
        reg.register(
            issuer, "a", ethr, vm.addr(11), 1_000, _signedProof(DID_KEY, issuer, "a", ethr, vm.addr(11), 1_000)
        );
        string memory pkh = string.concat("did:pkh:eip155:11155111:", toHex(abi.encodePacked(vm.addr(DID_KEY + 1))));
        vm.prank(issuerCtl);
        reg.register(
            issuer, "b", pkh, vm.addr(11), 1_000, _signedProof(DID_KEY + 1, issuer, "b", pkh, vm.addr(11), 1_000)
        );
        assertEq(reg.entity(reg.childNode(issuer, "b")).did, pkh);
    }

    function test_register_revertsIfEthrDidSignedByAnotherKey() public {
        string memory did = _ethrDid(DID_KEY);
        bytes memory proof = _signedProof(DID_KEY + 1, issuer, "desk", did, vm.addr(11), 1_000);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__InvalidDidProof.selector, did, SECP256K1));
        reg.register(issuer, "desk", did, vm.addr(11), 1_000, proof);
    }

    /// @dev Front-running: a controller elsewhere in the tree copies a pending registration's DID and
    /// proof under itself; the proof binds the parent, label, controller and expiry it was made for.
    function test_register_revertsIfEthrProofWasMadeForAnotherRegistration() public {
        string memory did = _ethrDid(DID_KEY);
        bytes memory proof = _signedProof(DID_KEY, issuer, "desk", did, vm.addr(11), 1_000);
        bytes memory refused =
            abi.encodeWithSelector(ITrustRegistry.TrustRegistry__InvalidDidProof.selector, did, SECP256K1);
        vm.prank(otherCtl);
        vm.expectRevert(refused);
        reg.register(other, "desk", did, vm.addr(11), 1_000, proof); // another parent
        vm.prank(issuerCtl);
        vm.expectRevert(refused);
        reg.register(issuer, "desk", did, otherCtl, 1_000, proof); // another controller
        vm.prank(issuerCtl);
        vm.expectRevert(refused);
        reg.register(issuer, "desk2", did, vm.addr(11), 1_000, proof); // another label
        vm.prank(issuerCtl);
        vm.expectRevert(refused);
        reg.register(issuer, "desk", did, vm.addr(11), 2_000, proof); // another expiry
        vm.prank(issuerCtl);
        reg.register(issuer, "desk", did, vm.addr(11), 1_000, proof); // what it was made for
    }

    function test_register_revertsIfEthrSignatureIsMalleableTwin() public {
        string memory did = _ethrDid(DID_KEY);
        (uint8 v, bytes32 r, bytes32 sig) = vm.sign(DID_KEY, _digest(issuer, "desk", did, vm.addr(11), 1_000));
        uint256 n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
        bytes memory twin = abi.encodePacked(r, bytes32(n - uint256(sig)), v == 27 ? uint8(28) : uint8(27));
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__InvalidDidProof.selector, did, SECP256K1));
        reg.register(issuer, "desk", did, vm.addr(11), 1_000, twin);
    }

    function test_register_revertsIfProofExpired() public {
        string memory did = _ethrDid(DID_KEY);
        bytes memory proof = _signedProof(DID_KEY, issuer, "desk", did, vm.addr(11), 1_000);
        vm.warp(1_001);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__DidProofExpired.selector, 1_000, 1_001));
        reg.register(issuer, "desk", did, vm.addr(11), 1_000, proof);
    }

    function test_register_revertsIfWebChallengeIsNotThisRegistrationsDigest() public {
        bytes memory elsewhere = abi.encodePacked(_digest(issuer, "desk", "did:web:desk", vm.addr(11), PROOF_EXPIRY));
        vm.prank(otherCtl);
        vm.expectRevert(
            abi.encodeWithSelector(ITrustRegistry.TrustRegistry__InvalidDidProof.selector, "did:web:desk", WEB)
        );
        reg.register(other, "desk", "did:web:desk", vm.addr(11), PROOF_EXPIRY, elsewhere);
        vm.prank(issuerCtl);
        vm.expectRevert(
            abi.encodeWithSelector(ITrustRegistry.TrustRegistry__InvalidDidProof.selector, "did:web:desk", WEB)
        );
        reg.register(issuer, "desk", "did:web:desk", vm.addr(11), PROOF_EXPIRY, "");
    }

    function test_register_recordsOffChainSignatureIfDidKey() public {
        string memory did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
        bytes memory signature = abi.encodePacked(keccak256("r"), keccak256("s"));
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.EntityRegistered(
            reg.childNode(issuer, "desk"), issuer, "desk", did, vm.addr(11), SIGNATURE, 1_000, signature, issuerCtl
        );
        vm.prank(issuerCtl);
        reg.register(issuer, "desk", did, vm.addr(11), 1_000, signature);
    }

    function test_register_revertsIfOffChainSignatureEmptyOrTooLong() public {
        string memory did = "did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5IiwieCI6IngifQ";
        bytes memory refused =
            abi.encodeWithSelector(ITrustRegistry.TrustRegistry__InvalidDidProof.selector, did, SIGNATURE);
        vm.prank(issuerCtl);
        vm.expectRevert(refused);
        reg.register(issuer, "desk", did, vm.addr(11), 1_000, "");
        vm.prank(issuerCtl);
        vm.expectRevert(refused);
        reg.register(issuer, "desk", did, vm.addr(11), 1_000, new bytes(513));
    }

    function test_register_revertsIfProofGivenForMethodWithoutOne() public {
        bytes memory refused = abi.encodeWithSelector(
            ITrustRegistry.TrustRegistry__InvalidDidProof.selector, "did:elsi:EU.EORI.X", NO_PROOF
        );
        vm.prank(issuerCtl);
        vm.expectRevert(refused);
        reg.register(issuer, "desk", "did:elsi:EU.EORI.X", vm.addr(11), 0, hex"01");
        vm.prank(issuerCtl);
        vm.expectRevert(refused);
        reg.register(issuer, "desk", "did:elsi:EU.EORI.X", vm.addr(11), 5, "");
    }

    // ================================================================== releaseDid (issue 14 item 4)

    function test_releaseDid_emitsDidReleasedIfParentRevokedTheHolder() public {
        _setStatus(branch, REVOKED, issuerCtl);
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.DidReleased(branch, issuer, BRANCH_DID, issuerCtl);
        vm.prank(issuerCtl);
        reg.releaseDid(issuer, branch);
        ITrustRegistry.Entity memory e = reg.entity(branch);
        assertEq(e.did, "");
        assertEq(_eq(e.status), _eq(REVOKED));
        assertEq(e.controller, branchCtl);
        (bool found,) = reg.nodeOfDid(BRANCH_DID);
        assertFalse(found);
        // the DID's owner registers it again, elsewhere
        bytes32 again = _register(ROOT, "owner", BRANCH_DID, vm.addr(12), rootCtl);
        (found, again) = reg.nodeOfDid(BRANCH_DID);
        assertTrue(found);
        assertEq(again, reg.childNode(ROOT, "owner"));
    }

    /// @dev The squat of issue 14: branch's parent (issuer) squats a DID under itself and will not
    /// give it up; the root suspends issuer (a dispute), releases the DID, and may reactivate issuer.
    function test_releaseDid_succeedsIfAnAncestorBetweenIsSuspended() public {
        _setStatus(issuer, SUSPENDED, rootCtl);
        vm.prank(rootCtl);
        reg.releaseDid(ROOT, branch);
        _setStatus(issuer, ACTIVE, rootCtl);
        assertEq(reg.entity(branch).did, "");
        assertEq(_eq(reg.entity(branch).status), _eq(ACTIVE));
        _register(other, "bank", BRANCH_DID, vm.addr(12), otherCtl);
    }

    function test_releaseDid_revertsIfHolderAndPathActive() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__HolderActive.selector, branch, ROOT));
        reg.releaseDid(ROOT, branch);
    }

    function test_releaseDid_revertsIfCallerDoesNotControlTheAncestor() public {
        _setStatus(branch, SUSPENDED, issuerCtl);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, issuer, stranger));
        reg.releaseDid(issuer, branch);
    }

    function test_releaseDid_revertsIfNotAnAncestor() public {
        _setStatus(branch, SUSPENDED, issuerCtl);
        vm.prank(otherCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotAncestor.selector, other, branch));
        reg.releaseDid(other, branch);
        vm.prank(branchCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotActive.selector, branch, SUSPENDED));
        reg.releaseDid(branch, branch);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotAncestor.selector, issuer, issuer));
        reg.releaseDid(issuer, issuer);
    }

    function test_releaseDid_revertsIfTheAncestorIsNotActive() public {
        _setStatus(issuer, SUSPENDED, rootCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotActive.selector, issuer, SUSPENDED));
        reg.releaseDid(issuer, branch);
    }

    function test_releaseDid_revertsIfNoDid() public {
        _setStatus(branch, REVOKED, issuerCtl);
        vm.prank(issuerCtl);
        reg.releaseDid(issuer, branch);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NoDid.selector, branch));
        reg.releaseDid(issuer, branch);
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NoDid.selector, ROOT));
        reg.releaseDid(ROOT, ROOT);
        bytes32 ghost = keccak256("ghost");
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NoDid.selector, ghost));
        reg.releaseDid(ROOT, ghost);
    }

    // ================================================================== setController

    function test_setController_emitsEntityControllerChangedIfCallerIsController() public {
        address next = vm.addr(20);
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.EntityControllerChanged(issuer, issuerCtl, next, issuerCtl);
        vm.prank(issuerCtl);
        reg.setController(issuer, next);
        assertEq(reg.controllerOf(issuer), next);
        assertEq(reg.entity(issuer).controller, next);
    }

    function test_setController_revokesPowersOfPreviousControllerIfChanged() public {
        address next = vm.addr(20);
        vm.prank(issuerCtl);
        reg.setController(issuer, next);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, issuer, issuerCtl));
        reg.register(
            issuer, "x", "did:web:x", issuerCtl, _expiry("did:web:x"), _proof(issuer, "x", "did:web:x", issuerCtl)
        );
        _register(issuer, "x", "did:web:x", next, next);
    }

    function test_setController_succeedsIfCallerIsRootController() public {
        address next = vm.addr(20);
        vm.prank(rootCtl);
        reg.setController(ROOT, next);
        assertEq(reg.controllerOf(ROOT), next);
    }

    function test_setController_revertsIfCallerIsParentController() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, issuer, rootCtl));
        reg.setController(issuer, rootCtl);
    }

    function test_setController_revertsIfCallerIsStranger() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, issuer, stranger));
        reg.setController(issuer, stranger);
    }

    function test_setController_emitsNothingIfControllerUnchanged() public {
        vm.recordLogs();
        vm.prank(issuerCtl);
        reg.setController(issuer, issuerCtl);
        assertEq(_logCount(), 0, "no event on a no-op");
        assertEq(reg.controllerOf(issuer), issuerCtl);
    }

    function test_setController_startsNewTermIfControllerChanges() public {
        address next = vm.addr(20);
        (address controller, uint64 term) = reg.controllerTerm(issuer);
        assertEq(controller, issuerCtl);
        assertEq(term, 0, "term 0 from registration");
        vm.prank(issuerCtl);
        reg.setController(issuer, next);
        vm.prank(next);
        reg.setController(issuer, issuerCtl);
        (controller, term) = reg.controllerTerm(issuer);
        assertEq(controller, issuerCtl);
        assertEq(term, 2, "handing control back is a new term");
        assertEq(reg.depthOf(issuer), 1, "the depth packed beside it is untouched");
        assertEq(uint256(reg.entity(issuer).status), uint256(ITrustRegistry.EntityStatus.Active));
        (, uint64 branchTerm) = reg.controllerTerm(branch);
        assertEq(branchTerm, 0, "per node");
    }

    function test_setController_keepsTermIfControllerUnchanged() public {
        vm.prank(issuerCtl);
        reg.setController(issuer, issuerCtl);
        (, uint64 term) = reg.controllerTerm(issuer);
        assertEq(term, 0);
    }

    function test_setController_revertsIfNewControllerZero() public {
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__ZeroController.selector));
        reg.setController(issuer, address(0));
    }

    function test_setController_revertsIfEntitySuspended() public {
        _setStatus(issuer, SUSPENDED, rootCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotActive.selector, issuer, SUSPENDED));
        reg.setController(issuer, vm.addr(20));
    }

    function test_setController_revertsIfAncestorSuspended() public {
        _setStatus(issuer, SUSPENDED, rootCtl);
        vm.prank(branchCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotActive.selector, issuer, SUSPENDED));
        reg.setController(branch, vm.addr(20));
    }

    function test_setController_revertsIfEntityUnknown() public {
        bytes32 ghost = reg.childNode(ROOT, "ghost");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__UnknownEntity.selector, ghost));
        reg.setController(ghost, stranger);
    }

    // ================================================================== setStatus

    function test_setStatus_emitsEntityStatusChangedIfParentSuspends() public {
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.EntityStatusChanged(issuer, ACTIVE, SUSPENDED, rootCtl);
        _setStatus(issuer, SUSPENDED, rootCtl);
        assertEq(_eq(reg.entity(issuer).status), _eq(SUSPENDED));
    }

    function test_setStatus_emitsEntityStatusChangedIfParentReactivates() public {
        _setStatus(branch, SUSPENDED, issuerCtl);
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.EntityStatusChanged(branch, SUSPENDED, ACTIVE, issuerCtl);
        _setStatus(branch, ACTIVE, issuerCtl);
        assertEq(_eq(reg.entity(branch).status), _eq(ACTIVE));
    }

    function test_setStatus_emitsEntityStatusChangedIfParentRevokes() public {
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.EntityStatusChanged(branch, ACTIVE, REVOKED, issuerCtl);
        _setStatus(branch, REVOKED, issuerCtl);
        assertEq(_eq(reg.entity(branch).status), _eq(REVOKED));
    }

    function test_setStatus_emitsEntityStatusChangedIfParentRevokesSuspended() public {
        _setStatus(branch, SUSPENDED, issuerCtl);
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.EntityStatusChanged(branch, SUSPENDED, REVOKED, issuerCtl);
        _setStatus(branch, REVOKED, issuerCtl);
    }

    function test_setStatus_revertsIfCallerIsGrandparent() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, issuer, rootCtl));
        reg.setStatus(branch, SUSPENDED);
    }

    function test_setStatus_revertsIfCallerIsEntityItself() public {
        _setStatus(branch, SUSPENDED, issuerCtl);
        vm.prank(branchCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, issuer, branchCtl));
        reg.setStatus(branch, ACTIVE);
    }

    function test_setStatus_revertsIfCallerIsStranger() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, ROOT, stranger));
        reg.setStatus(issuer, SUSPENDED);
    }

    function test_setStatus_emitsNothingIfStatusUnchanged() public {
        vm.recordLogs();
        _setStatus(issuer, ACTIVE, rootCtl);
        assertEq(_logCount(), 0, "Active -> Active");
        _setStatus(issuer, SUSPENDED, rootCtl);
        vm.recordLogs();
        _setStatus(issuer, SUSPENDED, rootCtl);
        assertEq(_logCount(), 0, "Suspended -> Suspended");
    }

    function test_setStatus_revertsIfReactivatingRevoked() public {
        _setStatus(issuer, REVOKED, rootCtl);
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__EntityRevoked.selector, issuer));
        reg.setStatus(issuer, ACTIVE);
    }

    function test_setStatus_revertsIfSuspendingRevoked() public {
        _setStatus(issuer, REVOKED, rootCtl);
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__EntityRevoked.selector, issuer));
        reg.setStatus(issuer, SUSPENDED);
    }

    function test_setStatus_revertsIfRevokingRevoked() public {
        _setStatus(issuer, REVOKED, rootCtl);
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__EntityRevoked.selector, issuer));
        reg.setStatus(issuer, REVOKED);
    }

    function test_setStatus_revertsIfNodeIsRoot() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__RootHasNoParent.selector));
        reg.setStatus(ROOT, SUSPENDED);
    }

    function test_setStatus_revertsIfStatusNone() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__InvalidStatus.selector, NONE));
        reg.setStatus(issuer, NONE);
    }

    function test_setStatus_revertsIfNodeUnknown() public {
        bytes32 ghost = reg.childNode(ROOT, "ghost");
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__UnknownEntity.selector, ghost));
        reg.setStatus(ghost, SUSPENDED);
    }

    function test_setStatus_revertsIfParentSuspended() public {
        _setStatus(issuer, SUSPENDED, rootCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotActive.selector, issuer, SUSPENDED));
        reg.setStatus(branch, SUSPENDED);
    }

    // ================================================================== accredit

    function test_accredit_emitsEntityAccreditedIfRootAccreditsChild() public {
        ITrustRegistry.RoleGrant[] memory roles = _roles(TARGET, "P.Info.gold", "P.Info.silver");
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.EntityAccredited(issuer, keccak256(bytes(TYPE)), TYPE, roles, 100, 1000, rootCtl);
        _accredit(issuer, TYPE, roles, 100, 1000, rootCtl);

        ITrustRegistry.Accreditation memory a = reg.accreditationOf(issuer, TYPE);
        assertTrue(a.exists);
        assertEq(a.version, 1);
        assertEq(a.validFrom, 100);
        assertEq(a.validUntil, 1000);
        assertEq(a.contentHash, keccak256(abi.encode(roles, uint64(100), uint64(1000))));
        assertTrue(reg.mayGrantRole(issuer, TYPE, TARGET, "P.Info.gold"));
        assertTrue(reg.mayGrantRole(issuer, TYPE, TARGET, "P.Info.silver"));
        assertFalse(reg.mayGrantRole(issuer, TYPE, TARGET, "P.Info.bronze"));
        assertFalse(reg.mayGrantRole(issuer, TYPE, "did:web:other-sp", "P.Info.gold"));
        assertFalse(reg.mayGrantRole(issuer, "OtherCredential", TARGET, "P.Info.gold"));
    }

    function test_accredit_succeedsIfRootAccreditsAnything() public {
        ITrustRegistry.RoleGrant[] memory roles = _roles("did:web:anything", "any.role");
        _accredit(other, "AnyType", roles, 0, 0, rootCtl);
        assertTrue(reg.mayGrantRole(other, "AnyType", "did:web:anything", "any.role"));
        assertTrue(reg.accreditationOf(other, "AnyType").exists);
    }

    function test_mayGrantRole_returnsTrueIfNodeIsRoot() public view {
        assertTrue(reg.mayGrantRole(ROOT, "Whatever", "did:web:whoever", "any"));
    }

    function test_accredit_emitsEntityAccreditedIfChildAccreditsWithinOwn() public {
        _accredit(issuer, TYPE, _roles(TARGET, "gold", "silver"), 100, 1000, rootCtl);
        ITrustRegistry.RoleGrant[] memory roles = _roles(TARGET, "silver");
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.EntityAccredited(branch, keccak256(bytes(TYPE)), TYPE, roles, 100, 1000, issuerCtl);
        _accredit(branch, TYPE, roles, 100, 1000, issuerCtl);
        assertTrue(reg.mayGrantRole(branch, TYPE, TARGET, "silver"));
        assertFalse(reg.mayGrantRole(branch, TYPE, TARGET, "gold"));
    }

    function test_accredit_succeedsIfWindowStrictlyInsideParent() public {
        _accredit(issuer, TYPE, _noRoles(), 100, 1000, rootCtl);
        _accredit(branch, TYPE, _noRoles(), 200, 900, issuerCtl);
        assertEq(reg.accreditationOf(branch, TYPE).validFrom, 200);
    }

    function test_accredit_succeedsIfParentOpenEnded() public {
        _accredit(issuer, TYPE, _noRoles(), 100, 0, rootCtl);
        _accredit(branch, TYPE, _noRoles(), 100, 0, issuerCtl);
        _accredit(branch, TYPE, _noRoles(), 5000, 9000, issuerCtl);
        assertEq(reg.accreditationOf(branch, TYPE).validUntil, 9000);
    }

    function test_accredit_revertsIfTypeNotHeldByParent() public {
        _accredit(issuer, TYPE, _noRoles(), 0, 0, rootCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(
            abi.encodeWithSelector(ITrustRegistry.TrustRegistry__TypeNotHeldByParent.selector, issuer, "OtherType")
        );
        reg.accredit(branch, "OtherType", _noRoles(), 0, 0);
    }

    function _expectExceeds(uint64 from, uint64 until, uint64 parentFrom, uint64 parentUntil) internal {
        vm.prank(issuerCtl);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrustRegistry.TrustRegistry__ValidityExceedsParent.selector, issuer, TYPE, parentFrom, parentUntil
            )
        );
        reg.accredit(branch, TYPE, _noRoles(), from, until);
    }

    function test_accredit_revertsIfValidityStartsBeforeParent() public {
        _accredit(issuer, TYPE, _noRoles(), 100, 1000, rootCtl);
        _expectExceeds(99, 500, 100, 1000);
    }

    function test_accredit_revertsIfValidityEndsAfterParent() public {
        _accredit(issuer, TYPE, _noRoles(), 100, 1000, rootCtl);
        _expectExceeds(100, 1001, 100, 1000);
    }

    function test_accredit_revertsIfValidityOpenEndedUnderBoundedParent() public {
        _accredit(issuer, TYPE, _noRoles(), 100, 1000, rootCtl);
        _expectExceeds(100, 0, 100, 1000);
    }

    function test_accredit_revertsIfRoleNotHeldByParent() public {
        _accredit(issuer, TYPE, _roles(TARGET, "silver"), 0, 0, rootCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrustRegistry.TrustRegistry__RoleNotHeldByParent.selector, issuer, TYPE, TARGET, "gold"
            )
        );
        reg.accredit(branch, TYPE, _roles(TARGET, "silver", "gold"), 0, 0);
    }

    function test_accredit_revertsIfRoleHeldByParentForOtherTarget() public {
        _accredit(issuer, TYPE, _roles(TARGET, "silver"), 0, 0, rootCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrustRegistry.TrustRegistry__RoleNotHeldByParent.selector, issuer, TYPE, "did:web:elsewhere", "silver"
            )
        );
        reg.accredit(branch, TYPE, _roles("did:web:elsewhere", "silver"), 0, 0);
    }

    function test_accredit_replacesRoleSetIfReaccredited() public {
        _accredit(issuer, TYPE, _roles(TARGET, "gold", "silver"), 0, 0, rootCtl);
        _accredit(issuer, TYPE, _roles(TARGET, "bronze"), 0, 0, rootCtl);
        assertEq(reg.accreditationOf(issuer, TYPE).version, 2);
        assertFalse(reg.mayGrantRole(issuer, TYPE, TARGET, "gold"), "old role dropped");
        assertFalse(reg.mayGrantRole(issuer, TYPE, TARGET, "silver"), "old role dropped");
        assertTrue(reg.mayGrantRole(issuer, TYPE, TARGET, "bronze"));
        // and the child can no longer be handed the dropped role
        vm.prank(issuerCtl);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrustRegistry.TrustRegistry__RoleNotHeldByParent.selector, issuer, TYPE, TARGET, "gold"
            )
        );
        reg.accredit(branch, TYPE, _roles(TARGET, "gold"), 0, 0);
    }

    function test_accredit_replacesValidityIfReaccredited() public {
        _accredit(issuer, TYPE, _noRoles(), 0, 0, rootCtl);
        _accredit(issuer, TYPE, _noRoles(), 10, 20, rootCtl);
        ITrustRegistry.Accreditation memory a = reg.accreditationOf(issuer, TYPE);
        assertEq(a.validFrom, 10);
        assertEq(a.validUntil, 20);
        _expectExceeds(0, 0, 10, 20);
    }

    function test_accredit_emitsNothingIfReaccreditedIdentically() public {
        ITrustRegistry.RoleGrant[] memory roles = _roles(TARGET, "gold", "silver");
        _accredit(issuer, TYPE, roles, 5, 50, rootCtl);
        vm.recordLogs();
        _accredit(issuer, TYPE, roles, 5, 50, rootCtl);
        assertEq(_logCount(), 0, "identical re-accreditation is a no-op");
        assertEq(reg.accreditationOf(issuer, TYPE).version, 1, "version unchanged");
        assertTrue(reg.mayGrantRole(issuer, TYPE, TARGET, "gold"));
    }

    function test_accredit_revertsIfValidityEmpty() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__InvalidValidity.selector, 100, 100));
        reg.accredit(issuer, TYPE, _noRoles(), 100, 100);
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__InvalidValidity.selector, 100, 99));
        reg.accredit(issuer, TYPE, _noRoles(), 100, 99);
    }

    function test_accredit_revertsIfChildRevoked() public {
        _setStatus(issuer, REVOKED, rootCtl);
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__EntityRevoked.selector, issuer));
        reg.accredit(issuer, TYPE, _noRoles(), 0, 0);
    }

    function test_accredit_succeedsIfChildSuspended() public {
        _setStatus(issuer, SUSPENDED, rootCtl);
        _accredit(issuer, TYPE, _noRoles(), 0, 0, rootCtl);
        assertTrue(reg.accreditationOf(issuer, TYPE).exists);
    }

    function test_accredit_revertsIfCallerIsGrandparent() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, issuer, rootCtl));
        reg.accredit(branch, TYPE, _noRoles(), 0, 0);
    }

    function test_accredit_revertsIfCallerIsEntityItself() public {
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, ROOT, issuerCtl));
        reg.accredit(issuer, TYPE, _noRoles(), 0, 0);
    }

    function test_accredit_revertsIfCallerIsStranger() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, ROOT, stranger));
        reg.accredit(issuer, TYPE, _noRoles(), 0, 0);
    }

    function test_accredit_revertsIfParentSuspended() public {
        _accredit(issuer, TYPE, _noRoles(), 0, 0, rootCtl);
        _setStatus(issuer, SUSPENDED, rootCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotActive.selector, issuer, SUSPENDED));
        reg.accredit(branch, TYPE, _noRoles(), 0, 0);
    }

    function test_accredit_revertsIfNodeIsRoot() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__RootHasNoParent.selector));
        reg.accredit(ROOT, TYPE, _noRoles(), 0, 0);
    }

    function test_accredit_revertsIfNodeUnknown() public {
        bytes32 ghost = reg.childNode(ROOT, "ghost");
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__UnknownEntity.selector, ghost));
        reg.accredit(ghost, TYPE, _noRoles(), 0, 0);
    }

    // ================================================================== withdrawAccreditation

    function test_withdrawAccreditation_emitsAccreditationWithdrawnIfParentWithdraws() public {
        _accredit(issuer, TYPE, _roles(TARGET, "gold"), 0, 0, rootCtl);
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.AccreditationWithdrawn(issuer, keccak256(bytes(TYPE)), TYPE, rootCtl);
        vm.prank(rootCtl);
        reg.withdrawAccreditation(issuer, TYPE);
        ITrustRegistry.Accreditation memory a = reg.accreditationOf(issuer, TYPE);
        assertFalse(a.exists);
        assertEq(a.contentHash, bytes32(0));
        assertFalse(reg.mayGrantRole(issuer, TYPE, TARGET, "gold"));
    }

    function test_withdrawAccreditation_revertsIfNotAccredited() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotAccredited.selector, issuer, TYPE));
        reg.withdrawAccreditation(issuer, TYPE);
    }

    function test_withdrawAccreditation_revertsIfAlreadyWithdrawn() public {
        _accredit(issuer, TYPE, _noRoles(), 0, 0, rootCtl);
        vm.prank(rootCtl);
        reg.withdrawAccreditation(issuer, TYPE);
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotAccredited.selector, issuer, TYPE));
        reg.withdrawAccreditation(issuer, TYPE);
    }

    function test_withdrawAccreditation_blocksGrandchildAccreditationIfWithdrawnFromParent() public {
        _accredit(issuer, TYPE, _roles(TARGET, "gold"), 0, 0, rootCtl);
        _accredit(branch, TYPE, _roles(TARGET, "gold"), 0, 0, issuerCtl);
        vm.prank(rootCtl);
        reg.withdrawAccreditation(issuer, TYPE);
        vm.prank(issuerCtl);
        vm.expectRevert(
            abi.encodeWithSelector(ITrustRegistry.TrustRegistry__TypeNotHeldByParent.selector, issuer, TYPE)
        );
        reg.accredit(branch, TYPE, _roles(TARGET, "silver"), 0, 0);
    }

    function test_withdrawAccreditation_dropsOldRolesIfReaccredited() public {
        _accredit(issuer, TYPE, _roles(TARGET, "gold"), 0, 0, rootCtl);
        vm.prank(rootCtl);
        reg.withdrawAccreditation(issuer, TYPE);
        _accredit(issuer, TYPE, _roles(TARGET, "silver"), 0, 0, rootCtl);
        assertFalse(reg.mayGrantRole(issuer, TYPE, TARGET, "gold"));
        assertTrue(reg.mayGrantRole(issuer, TYPE, TARGET, "silver"));
        assertEq(reg.accreditationOf(issuer, TYPE).version, 3);
    }

    function test_withdrawAccreditation_revertsIfCallerIsNotParentController() public {
        _accredit(issuer, TYPE, _noRoles(), 0, 0, rootCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, ROOT, issuerCtl));
        reg.withdrawAccreditation(issuer, TYPE);
    }

    function test_withdrawAccreditation_revertsIfChildRevoked() public {
        _accredit(issuer, TYPE, _noRoles(), 0, 0, rootCtl);
        _setStatus(issuer, REVOKED, rootCtl);
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__EntityRevoked.selector, issuer));
        reg.withdrawAccreditation(issuer, TYPE);
    }

    function test_withdrawAccreditation_revertsIfNodeIsRoot() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__RootHasNoParent.selector));
        reg.withdrawAccreditation(ROOT, TYPE);
    }

    // ================================================================== addKey / revokeKey

    function _addKey(bytes32 node, string memory keyId, address by) internal {
        vm.prank(by);
        reg.addKey(node, keyId, "JsonWebKey2020", bytes(JWK), 3, 0, 0);
    }

    function test_addKey_emitsKeyAddedIfCallerIsController() public {
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.KeyAdded(issuer, "key-1", "JsonWebKey2020", bytes(JWK), 3, 10, 1000, issuerCtl);
        vm.prank(issuerCtl);
        reg.addKey(issuer, "key-1", "JsonWebKey2020", bytes(JWK), 3, 10, 1000);

        ITrustRegistry.Key memory k = reg.keyOf(issuer, "key-1");
        assertTrue(k.exists);
        assertFalse(k.revoked);
        assertEq(k.purposes, 3);
        assertEq(k.validFrom, 10);
        assertEq(k.validUntil, 1000);
        assertEq(k.materialHash, keccak256(abi.encode("JsonWebKey2020", bytes(JWK))));
    }

    function test_addKey_succeedsIfMultikeyWithAllPurposes() public {
        bytes memory raw = hex"8024026b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
        vm.prank(issuerCtl);
        reg.addKey(issuer, "key-2", "Multikey", raw, 31, 0, 0);
        assertEq(reg.keyOf(issuer, "key-2").purposes, 31);
    }

    function test_addKey_revertsIfPurposesZero() public {
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__InvalidKeyPurposes.selector, 0));
        reg.addKey(issuer, "key-1", "JsonWebKey2020", bytes(JWK), 0, 0, 0);
    }

    function test_addKey_revertsIfPurposes32() public {
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__InvalidKeyPurposes.selector, 32));
        reg.addKey(issuer, "key-1", "JsonWebKey2020", bytes(JWK), 32, 0, 0);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__InvalidKeyPurposes.selector, 255));
        reg.addKey(issuer, "key-1", "JsonWebKey2020", bytes(JWK), 255, 0, 0);
    }

    function test_addKey_revertsIfValidityEmpty() public {
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__InvalidValidity.selector, 50, 50));
        reg.addKey(issuer, "key-1", "JsonWebKey2020", bytes(JWK), 1, 50, 50);
    }

    function test_addKey_revertsIfKeyExists() public {
        _addKey(issuer, "key-1", issuerCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__KeyExists.selector, issuer, "key-1"));
        reg.addKey(issuer, "key-1", "Multikey", hex"ed01aa", 1, 0, 0);
    }

    function test_addKey_revertsIfKeyExistsAfterRevocation() public {
        _addKey(issuer, "key-1", issuerCtl);
        vm.prank(issuerCtl);
        reg.revokeKey(issuer, "key-1", SUPERSEDED, 0);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__KeyExists.selector, issuer, "key-1"));
        reg.addKey(issuer, "key-1", "JsonWebKey2020", bytes(JWK), 1, 0, 0);
    }

    function test_addKey_succeedsIfSameKeyIdOnOtherEntity() public {
        _addKey(issuer, "key-1", issuerCtl);
        _addKey(branch, "key-1", branchCtl);
        assertTrue(reg.keyOf(branch, "key-1").exists);
    }

    function test_addKey_revertsIfCallerIsNotController() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, issuer, rootCtl));
        reg.addKey(issuer, "key-1", "JsonWebKey2020", bytes(JWK), 1, 0, 0);
    }

    function test_addKey_revertsIfEntitySuspended() public {
        _setStatus(issuer, SUSPENDED, rootCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotActive.selector, issuer, SUSPENDED));
        reg.addKey(issuer, "key-1", "JsonWebKey2020", bytes(JWK), 1, 0, 0);
    }

    function test_addKey_revertsIfAncestorSuspended() public {
        _setStatus(issuer, SUSPENDED, rootCtl);
        vm.prank(branchCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotActive.selector, issuer, SUSPENDED));
        reg.addKey(branch, "key-1", "JsonWebKey2020", bytes(JWK), 1, 0, 0);
    }

    function test_revokeKey_emitsKeyRevokedIfCallerIsController() public {
        _addKey(issuer, "key-1", issuerCtl);
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.KeyRevoked(issuer, "key-1", SUPERSEDED, 0, issuerCtl);
        vm.prank(issuerCtl);
        reg.revokeKey(issuer, "key-1", SUPERSEDED, 0);
        ITrustRegistry.Key memory k = reg.keyOf(issuer, "key-1");
        assertTrue(k.exists);
        assertTrue(k.revoked);
        assertEq(uint256(k.revocationReason), uint256(SUPERSEDED));
        assertEq(k.compromisedSince, 0);
        assertEq(k.materialHash, keccak256(abi.encode("JsonWebKey2020", bytes(JWK))));
    }

    function test_revokeKey_recordsCompromiseIfReasonCompromised() public {
        _addKey(issuer, "key-1", issuerCtl);
        vm.warp(2_000_000);
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.KeyRevoked(issuer, "key-1", COMPROMISED, 1_500_000, issuerCtl);
        vm.prank(issuerCtl);
        reg.revokeKey(issuer, "key-1", COMPROMISED, 1_500_000);
        ITrustRegistry.Key memory k = reg.keyOf(issuer, "key-1");
        assertTrue(k.revoked);
        assertEq(uint256(k.revocationReason), uint256(COMPROMISED));
        assertEq(k.compromisedSince, 1_500_000);
        assertEq(k.purposes, 3);
    }

    function test_revokeKey_succeedsIfCompromisedSinceIsNow() public {
        _addKey(issuer, "key-1", issuerCtl);
        vm.warp(2_000_000);
        vm.prank(issuerCtl);
        reg.revokeKey(issuer, "key-1", COMPROMISED, 2_000_000);
        assertEq(reg.keyOf(issuer, "key-1").compromisedSince, 2_000_000);
    }

    function test_revokeKey_revertsIfCompromisedSinceZero() public {
        _addKey(issuer, "key-1", issuerCtl);
        vm.warp(2_000_000);
        vm.prank(issuerCtl);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrustRegistry.TrustRegistry__InvalidCompromiseTime.selector, COMPROMISED, 0, 2_000_000
            )
        );
        reg.revokeKey(issuer, "key-1", COMPROMISED, 0);
    }

    function test_revokeKey_revertsIfCompromisedSinceInTheFuture() public {
        _addKey(issuer, "key-1", issuerCtl);
        vm.warp(2_000_000);
        vm.prank(issuerCtl);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrustRegistry.TrustRegistry__InvalidCompromiseTime.selector, COMPROMISED, 2_000_001, 2_000_000
            )
        );
        reg.revokeKey(issuer, "key-1", COMPROMISED, 2_000_001);
    }

    function test_revokeKey_revertsIfRotationGivesCompromiseTime() public {
        _addKey(issuer, "key-1", issuerCtl);
        vm.warp(2_000_000);
        vm.prank(issuerCtl);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrustRegistry.TrustRegistry__InvalidCompromiseTime.selector, SUPERSEDED, 1_000, 2_000_000
            )
        );
        reg.revokeKey(issuer, "key-1", SUPERSEDED, 1_000);
    }

    function test_revokeKey_widensIfRotatedKeyIsDeclaredCompromised() public {
        _addKey(issuer, "key-1", issuerCtl);
        vm.warp(2_000_000);
        vm.prank(issuerCtl);
        reg.revokeKey(issuer, "key-1", ITrustRegistry.KeyRevocationReason.Unspecified, 0);
        vm.warp(3_000_000);
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.KeyRevoked(issuer, "key-1", COMPROMISED, 1_000_000, issuerCtl);
        vm.prank(issuerCtl);
        reg.revokeKey(issuer, "key-1", COMPROMISED, 1_000_000);
        assertEq(uint256(reg.keyOf(issuer, "key-1").revocationReason), uint256(COMPROMISED));
    }

    function test_revokeKey_widensIfCompromiseStartsEarlier() public {
        _addKey(issuer, "key-1", issuerCtl);
        vm.warp(2_000_000);
        vm.prank(issuerCtl);
        reg.revokeKey(issuer, "key-1", COMPROMISED, 1_500_000);
        vm.prank(issuerCtl);
        reg.revokeKey(issuer, "key-1", COMPROMISED, 1_200_000);
        assertEq(reg.keyOf(issuer, "key-1").compromisedSince, 1_200_000);
    }

    function test_revokeKey_revertsIfCompromiseWouldNarrow() public {
        _addKey(issuer, "key-1", issuerCtl);
        vm.warp(2_000_000);
        vm.prank(issuerCtl);
        reg.revokeKey(issuer, "key-1", COMPROMISED, 1_500_000);
        bytes memory already =
            abi.encodeWithSelector(ITrustRegistry.TrustRegistry__KeyAlreadyRevoked.selector, issuer, "key-1");
        vm.prank(issuerCtl);
        vm.expectRevert(already);
        reg.revokeKey(issuer, "key-1", COMPROMISED, 1_500_000);
        vm.prank(issuerCtl);
        vm.expectRevert(already);
        reg.revokeKey(issuer, "key-1", COMPROMISED, 1_900_000);
        vm.prank(issuerCtl);
        vm.expectRevert(already);
        reg.revokeKey(issuer, "key-1", SUPERSEDED, 0);
        assertEq(reg.keyOf(issuer, "key-1").compromisedSince, 1_500_000);
    }

    function test_revokeKey_revertsIfKeyUnknown() public {
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__UnknownKey.selector, issuer, "key-9"));
        reg.revokeKey(issuer, "key-9", SUPERSEDED, 0);
    }

    function test_revokeKey_revertsIfKeyAlreadyRevoked() public {
        _addKey(issuer, "key-1", issuerCtl);
        vm.prank(issuerCtl);
        reg.revokeKey(issuer, "key-1", SUPERSEDED, 0);
        vm.prank(issuerCtl);
        vm.expectRevert(
            abi.encodeWithSelector(ITrustRegistry.TrustRegistry__KeyAlreadyRevoked.selector, issuer, "key-1")
        );
        reg.revokeKey(issuer, "key-1", SUPERSEDED, 0);
    }

    function test_revokeKey_revertsIfCallerIsNotController() public {
        _addKey(issuer, "key-1", issuerCtl);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, issuer, stranger));
        reg.revokeKey(issuer, "key-1", COMPROMISED, 1);
    }

    function test_revokeKey_revertsIfEntitySuspended() public {
        _addKey(issuer, "key-1", issuerCtl);
        _setStatus(issuer, SUSPENDED, rootCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotActive.selector, issuer, SUSPENDED));
        reg.revokeKey(issuer, "key-1", SUPERSEDED, 0);
    }

    /// @dev Whatever sequence of revocations a controller sends, a recorded compromise never goes away
    /// and its start only moves earlier.
    function testFuzz_revokeKey_compromiseOnlyWidensIfAnySequence(uint8[6] memory reasons, uint64[6] memory times)
        public
    {
        _addKey(issuer, "key-1", issuerCtl);
        vm.warp(1_000_000);
        uint64 since;
        for (uint256 i = 0; i < reasons.length; ++i) {
            ITrustRegistry.KeyRevocationReason reason = ITrustRegistry.KeyRevocationReason(reasons[i] % 3);
            uint64 at = reason == COMPROMISED ? uint64(bound(times[i], 1, 1_000_000)) : 0;
            vm.prank(issuerCtl);
            try reg.revokeKey(issuer, "key-1", reason, at) {} catch {}
            ITrustRegistry.Key memory k = reg.keyOf(issuer, "key-1");
            if (since != 0) {
                assertEq(uint256(k.revocationReason), uint256(COMPROMISED), "compromise lost");
                assertTrue(k.compromisedSince <= since, "compromise narrowed");
            }
            if (k.revocationReason == COMPROMISED) since = k.compromisedSince;
        }
    }

    // ================================================================== addService / removeService

    function test_addService_emitsServiceAddedIfCallerIsController() public {
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.ServiceAdded(issuer, "issuer", "OID4VCI", "https://issuer.example/oid4vci", issuerCtl);
        vm.prank(issuerCtl);
        reg.addService(issuer, "issuer", "OID4VCI", "https://issuer.example/oid4vci");
        assertTrue(reg.hasService(issuer, "issuer"));
        assertFalse(reg.hasService(branch, "issuer"));
    }

    function test_addService_revertsIfServiceExists() public {
        vm.prank(issuerCtl);
        reg.addService(issuer, "issuer", "OID4VCI", "https://x");
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__ServiceExists.selector, issuer, "issuer"));
        reg.addService(issuer, "issuer", "OID4VCI", "https://y");
    }

    function test_addService_succeedsIfReaddedAfterRemoval() public {
        vm.startPrank(issuerCtl);
        reg.addService(issuer, "issuer", "OID4VCI", "https://x");
        reg.removeService(issuer, "issuer");
        reg.addService(issuer, "issuer", "OID4VCI", "https://y");
        vm.stopPrank();
        assertTrue(reg.hasService(issuer, "issuer"));
    }

    function test_addService_revertsIfCallerIsNotController() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, issuer, rootCtl));
        reg.addService(issuer, "issuer", "OID4VCI", "https://x");
    }

    function test_addService_revertsIfEntitySuspended() public {
        _setStatus(issuer, SUSPENDED, rootCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotActive.selector, issuer, SUSPENDED));
        reg.addService(issuer, "issuer", "OID4VCI", "https://x");
    }

    function test_removeService_emitsServiceRemovedIfCallerIsController() public {
        vm.prank(issuerCtl);
        reg.addService(issuer, "issuer", "OID4VCI", "https://x");
        vm.expectEmit(true, true, true, true, address(reg));
        emit ITrustRegistry.ServiceRemoved(issuer, "issuer", issuerCtl);
        vm.prank(issuerCtl);
        reg.removeService(issuer, "issuer");
        assertFalse(reg.hasService(issuer, "issuer"));
    }

    function test_removeService_revertsIfServiceUnknown() public {
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__UnknownService.selector, issuer, "nope"));
        reg.removeService(issuer, "nope");
    }

    function test_removeService_revertsIfCallerIsNotController() public {
        vm.prank(issuerCtl);
        reg.addService(issuer, "issuer", "OID4VCI", "https://x");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotController.selector, issuer, stranger));
        reg.removeService(issuer, "issuer");
    }

    function test_removeService_revertsIfEntitySuspended() public {
        vm.prank(issuerCtl);
        reg.addService(issuer, "issuer", "OID4VCI", "https://x");
        _setStatus(issuer, SUSPENDED, rootCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__NotActive.selector, issuer, SUSPENDED));
        reg.removeService(issuer, "issuer");
    }

    // ================================================================== reads

    function test_effectiveStatus_returnsActiveIfAllAncestorsActive() public view {
        (bool active, bytes32 inactive) = reg.effectiveStatus(branch);
        assertTrue(active);
        assertEq(inactive, ROOT);
        (active,) = reg.effectiveStatus(ROOT);
        assertTrue(active, "root is active");
    }

    function test_effectiveStatus_returnsAncestorIfAncestorSuspended() public {
        _setStatus(issuer, SUSPENDED, rootCtl);
        (bool active, bytes32 inactive) = reg.effectiveStatus(branch);
        assertFalse(active);
        assertEq(inactive, issuer);
        assertEq(_eq(reg.entity(branch).status), _eq(ACTIVE), "own status untouched");
    }

    function test_effectiveStatus_returnsNearestIfSeveralInactive() public {
        _setStatus(branch, SUSPENDED, issuerCtl);
        _setStatus(issuer, REVOKED, rootCtl);
        (bool active, bytes32 inactive) = reg.effectiveStatus(branch);
        assertFalse(active);
        assertEq(inactive, branch);
    }

    function test_effectiveStatus_returnsActiveIfAncestorReactivated() public {
        _setStatus(issuer, SUSPENDED, rootCtl);
        _setStatus(issuer, ACTIVE, rootCtl);
        (bool active,) = reg.effectiveStatus(branch);
        assertTrue(active);
    }

    function test_effectiveStatus_returnsInactiveIfNodeUnknown() public view {
        bytes32 ghost = reg.childNode(ROOT, "ghost");
        (bool active, bytes32 inactive) = reg.effectiveStatus(ghost);
        assertFalse(active);
        assertEq(inactive, ghost);
    }

    function test_nodeOfDid_returnsNodeIfFound() public view {
        (bool found, bytes32 node) = reg.nodeOfDid(ISSUER_DID);
        assertTrue(found);
        assertEq(node, issuer);
    }

    function test_nodeOfDid_returnsNotFoundIfUnknown() public view {
        (bool found, bytes32 node) = reg.nodeOfDid("did:web:unknown.example");
        assertFalse(found);
        assertEq(node, bytes32(0));
    }

    function test_controllerOf_returnsZeroIfUnknown() public view {
        assertEq(reg.controllerOf(reg.childNode(ROOT, "ghost")), address(0));
        assertEq(_eq(reg.entity(reg.childNode(ROOT, "ghost")).status), _eq(NONE));
    }

    // ================================================================== fuzz

    function _isValidLabel(bytes memory raw) internal pure returns (bool) {
        if (raw.length == 0 || raw.length > 63) return false;
        for (uint256 i = 0; i < raw.length; ++i) {
            bytes1 c = raw[i];
            bool ok = (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c == "-" || c == "_";
            if (!ok) return false;
        }
        return true;
    }

    function _checkLabel(bytes memory raw) internal {
        string memory label = string(raw);
        vm.prank(rootCtl);
        if (_isValidLabel(raw)) {
            bytes32 node = reg.register(
                ROOT,
                label,
                "did:web:fuzz",
                rootCtl,
                _expiry("did:web:fuzz"),
                _proof(ROOT, label, "did:web:fuzz", rootCtl)
            );
            assertEq(node, keccak256(abi.encodePacked(ROOT, keccak256(raw))));
            assertEq(reg.entity(node).did, "did:web:fuzz");
        } else {
            vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__InvalidLabel.selector, label));
            reg.register(
                ROOT,
                label,
                "did:web:fuzz",
                rootCtl,
                _expiry("did:web:fuzz"),
                _proof(ROOT, label, "did:web:fuzz", rootCtl)
            );
        }
    }

    /// @dev Random bytes: accepted iff 1..63 bytes, all in [a-z0-9-_].
    function testFuzz_register_acceptsLabelIffValid(bytes memory raw) public {
        vm.assume(keccak256(raw) != keccak256("issuer") && keccak256(raw) != keccak256("other"));
        _checkLabel(raw);
    }

    /// @dev Labels drawn from an alphabet of mostly valid characters, so both outcomes are common.
    function testFuzz_register_acceptsLabelIffValidNearAlphabet(uint256 seed, uint8 length) public {
        bytes memory alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_A.Z /:\x00\xff";
        uint256 n = bound(length, 0, 70);
        bytes memory raw = new bytes(n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            // mostly valid characters; an invalid one with probability ~1/64 per byte
            raw[i] = r % 64 == 0 ? alphabet[38 + (r >> 8) % 8] : alphabet[(r >> 8) % 38];
        }
        vm.assume(keccak256(raw) != keccak256("issuer") && keccak256(raw) != keccak256("other"));
        _checkLabel(raw);
    }

    function testFuzz_childNode_matchesEnsDerivation(bytes32 parent, string memory label) public view {
        assertEq(reg.childNode(parent, label), keccak256(abi.encodePacked(parent, keccak256(bytes(label)))));
    }

    function testFuzz_register_derivesNodeFromParentAndLabel(uint256 seed) public {
        bytes memory raw = bytes(string.concat("n", toString(seed % 1e12)));
        bytes32 node = _register(branch, string(raw), "did:web:fuzz", branchCtl, branchCtl);
        bytes32 expected =
            keccak256(abi.encodePacked(keccak256(abi.encodePacked(issuer, keccak256("branch"))), keccak256(raw)));
        assertEq(node, expected);
        assertEq(reg.entity(node).parent, branch);
    }

    function _checkWindow(uint64 pFrom, uint64 pUntil, uint64 cFrom, uint64 cUntil) internal {
        _accredit(issuer, TYPE, _roles(TARGET, "gold"), pFrom, pUntil, rootCtl);
        vm.prank(issuerCtl);
        if (cUntil != 0 && cUntil <= cFrom) {
            vm.expectRevert(
                abi.encodeWithSelector(ITrustRegistry.TrustRegistry__InvalidValidity.selector, cFrom, cUntil)
            );
            reg.accredit(branch, TYPE, _roles(TARGET, "gold"), cFrom, cUntil);
            return;
        }
        bool contained = cFrom >= pFrom && (pUntil == 0 || (cUntil != 0 && cUntil <= pUntil));
        if (!contained) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    ITrustRegistry.TrustRegistry__ValidityExceedsParent.selector, issuer, TYPE, pFrom, pUntil
                )
            );
        }
        reg.accredit(branch, TYPE, _roles(TARGET, "gold"), cFrom, cUntil);
        assertEq(reg.accreditationOf(branch, TYPE).exists, contained);
        if (contained) {
            ITrustRegistry.Accreditation memory a = reg.accreditationOf(branch, TYPE);
            assertEq(a.validFrom, cFrom);
            assertEq(a.validUntil, cUntil);
        }
    }

    /// @dev A child's window is accepted iff it lies inside the parent's (0 = open end).
    function testFuzz_accredit_acceptsWindowIffWithinParent(uint64 pFrom, uint64 pUntil, uint64 cFrom, uint64 cUntil)
        public
    {
        vm.assume(pUntil == 0 || pUntil > pFrom);
        _checkWindow(pFrom, pUntil, cFrom, cUntil);
    }

    /// @dev Same over a small range, so equal and adjacent bounds come up often.
    function testFuzz_accredit_acceptsWindowIffWithinParentSmall(uint8 a, uint8 b, uint8 c, uint8 d) public {
        uint64 pFrom = a % 8;
        uint64 pUntil = b % 8;
        uint64 cFrom = c % 8;
        uint64 cUntil = d % 8;
        vm.assume(pUntil == 0 || pUntil > pFrom);
        _checkWindow(pFrom, pUntil, cFrom, cUntil);
    }
}
