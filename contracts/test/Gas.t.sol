// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixtures} from "./utils/Fixtures.sol";
import {ITrustRegistry} from "../src/interfaces/ITrustRegistry.sol";
import {IStatusRegistry} from "../src/interfaces/IStatusRegistry.sol";

/// @title Gas
/// @notice Gas report for the common writes, measured with gasleft() around the call and logged
/// (`forge test --match-contract Gas -vv`). Before each measured call both registries are cooled
/// (vm.cool), so every call pays cold account and storage access as a fresh transaction would.
/// "exec" is the gas the call itself uses; "tx" adds the intrinsic 21,000 and the calldata cost
/// (4 per zero byte, 16 per non-zero byte), i.e. what the same call would cost as its own transaction.
contract Gas is Fixtures {
    string internal constant JWK =
        '{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}';
    uint256 internal constant BITS = 100;

    uint256 internal list;

    function setUp() public override {
        super.setUp();
        vm.prank(issuerCtl);
        list = status.createList(issuer, IStatusRegistry.Purpose.Revocation, 0, "https://issuer.example/status/1");
    }

    // ------------------------------------------------------------------ helpers

    function _cool() internal {
        vm.cool(address(reg));
        vm.cool(address(status));
    }

    function _calldataGas(bytes memory data) internal pure returns (uint256 cost) {
        for (uint256 i = 0; i < data.length; ++i) {
            cost += data[i] == 0 ? 4 : 16;
        }
    }

    function _report(string memory name, uint256 exec, bytes memory data) internal returns (uint256 txGas) {
        txGas = exec + 21_000 + _calldataGas(data);
        emit log_named_uint(string.concat(name, " exec"), exec);
        emit log_named_uint(string.concat(name, " tx (est.)"), txGas);
    }

    /// @dev BITS distinct pseudo-random indices of a 131,072-entry list, ascending.
    function _randomSortedIndices() internal pure returns (uint256[] memory indices) {
        return _randomSortedIndices(BITS);
    }

    /// @dev `count` distinct pseudo-random indices of a 131,072-entry list, ascending.
    function _randomSortedIndices(uint256 count) internal pure returns (uint256[] memory indices) {
        indices = new uint256[](count);
        uint256 n;
        for (uint256 nonce = 0; n < count; ++nonce) {
            uint256 candidate = uint256(keccak256(abi.encode("gas-report", nonce))) % 131_072;
            bool seen;
            for (uint256 j = 0; j < n; ++j) {
                if (indices[j] == candidate) seen = true;
            }
            if (!seen) indices[n++] = candidate;
        }
        for (uint256 i = 1; i < count; ++i) {
            uint256 v = indices[i];
            uint256 j = i;
            while (j > 0 && indices[j - 1] > v) {
                indices[j] = indices[j - 1];
                --j;
            }
            indices[j] = v;
        }
    }

    // ------------------------------------------------------------------ measurements

    /// @dev did:web: the registration digest computed and compared with the recorded challenge.
    function test_gas_register() public {
        string memory did = "did:web:newissuer.example";
        bytes memory proof = _proof(ROOT, "newissuer", did, vm.addr(50));
        _cool();
        vm.prank(rootCtl);
        uint256 start = gasleft();
        reg.register(ROOT, "newissuer", did, vm.addr(50), PROOF_EXPIRY, proof);
        uint256 used = start - gasleft();
        _report(
            "register (did:web, challenge)",
            used,
            abi.encodeCall(reg.register, (ROOT, "newissuer", did, vm.addr(50), PROOF_EXPIRY, proof))
        );
    }

    /// @dev did:elsi: a method without proof of control (only the grammar and the prefix checks).
    function test_gas_registerWithoutProof() public {
        string memory did = "did:elsi:EU.EORI.NLNEWISSUER";
        _cool();
        vm.prank(rootCtl);
        uint256 start = gasleft();
        reg.register(ROOT, "newissuer", did, vm.addr(50), 0, "");
        uint256 used = start - gasleft();
        _report(
            "register (did:elsi, no proof)",
            used,
            abi.encodeCall(reg.register, (ROOT, "newissuer", did, vm.addr(50), 0, ""))
        );
    }

    /// @dev did:ethr: the registration digest and ecrecover.
    function test_gas_registerEthrSigned() public {
        string memory did = string.concat("did:ethr:", toHex(abi.encodePacked(vm.addr(0xA11CE))));
        bytes memory proof = _signedProof(0xA11CE, ROOT, "newissuer", did, vm.addr(50), PROOF_EXPIRY);
        _cool();
        vm.prank(rootCtl);
        uint256 start = gasleft();
        reg.register(ROOT, "newissuer", did, vm.addr(50), PROOF_EXPIRY, proof);
        uint256 used = start - gasleft();
        _report(
            "register (did:ethr, ecrecover)",
            used,
            abi.encodeCall(reg.register, (ROOT, "newissuer", did, vm.addr(50), PROOF_EXPIRY, proof))
        );
    }

    function test_gas_releaseDid() public {
        _setStatus(branch, ITrustRegistry.EntityStatus.Revoked, issuerCtl);
        _cool();
        vm.prank(rootCtl);
        uint256 start = gasleft();
        reg.releaseDid(ROOT, branch);
        uint256 used = start - gasleft();
        _report("releaseDid (grandparent)", used, abi.encodeCall(reg.releaseDid, (ROOT, branch)));
    }

    /// @dev The dearest register: its parent at MAX_DEPTH - 1, so the ancestor walk is as long as it gets.
    function test_gas_registerAtMaxDepth() public {
        bytes32 parent = ROOT;
        for (uint256 i = 1; i < reg.MAX_DEPTH(); ++i) {
            string memory n = toString(i);
            parent = _register(parent, string.concat("l", n), string.concat("did:web:l", n), rootCtl, rootCtl);
        }
        string memory did = "did:web:deepest.example";
        bytes memory proof = _proof(parent, "deepest", did, vm.addr(50));
        _cool();
        vm.prank(rootCtl);
        uint256 start = gasleft();
        bytes32 node = reg.register(parent, "deepest", did, vm.addr(50), PROOF_EXPIRY, proof);
        uint256 used = start - gasleft();
        assertEq(reg.depthOf(node), reg.MAX_DEPTH());
        _report(
            "register at MAX_DEPTH",
            used,
            abi.encodeCall(reg.register, (parent, "deepest", did, vm.addr(50), PROOF_EXPIRY, proof))
        );
    }

    function test_gas_addKey() public {
        bytes memory publicKey = bytes(JWK);
        assertEq(publicKey.length, 126);
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        reg.addKey(issuer, "key-1", "JsonWebKey2020", publicKey, 2, 1_700_000_000, 0);
        uint256 used = start - gasleft();
        _report(
            "addKey (126-byte P-256 JWK)",
            used,
            abi.encodeCall(reg.addKey, (issuer, "key-1", "JsonWebKey2020", publicKey, 2, 1_700_000_000, 0))
        );
    }

    function test_gas_revokeKey() public {
        vm.prank(issuerCtl);
        reg.addKey(issuer, "key-1", "JsonWebKey2020", bytes(JWK), 2, 1_700_000_000, 0);
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        reg.revokeKey(issuer, "key-1", ITrustRegistry.KeyRevocationReason.Superseded, 0);
        uint256 used = start - gasleft();
        _report(
            "revokeKey (superseded)",
            used,
            abi.encodeCall(reg.revokeKey, (issuer, "key-1", ITrustRegistry.KeyRevocationReason.Superseded, 0))
        );
    }

    function test_gas_revokeKeyCompromised() public {
        vm.prank(issuerCtl);
        reg.addKey(issuer, "key-1", "JsonWebKey2020", bytes(JWK), 2, 1_700_000_000, 0);
        vm.warp(1_800_000_000);
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        reg.revokeKey(issuer, "key-1", ITrustRegistry.KeyRevocationReason.Compromised, 1_750_000_000);
        uint256 used = start - gasleft();
        _report(
            "revokeKey (compromised)",
            used,
            abi.encodeCall(
                reg.revokeKey, (issuer, "key-1", ITrustRegistry.KeyRevocationReason.Compromised, 1_750_000_000)
            )
        );
    }

    function test_gas_addService() public {
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        reg.addService(issuer, "issuer", "OID4VCI", "https://issuer.example/oid4vci?tenant=a1");
        uint256 used = start - gasleft();
        _report(
            "addService",
            used,
            abi.encodeCall(reg.addService, (issuer, "issuer", "OID4VCI", "https://issuer.example/oid4vci?tenant=a1"))
        );
    }

    function test_gas_createList() public {
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        status.createList(issuer, IStatusRegistry.Purpose.Suspension, 0, "https://issuer.example/status/2");
        uint256 used = start - gasleft();
        _report(
            "createList",
            used,
            abi.encodeCall(
                status.createList, (issuer, IStatusRegistry.Purpose.Suspension, 0, "https://issuer.example/status/2")
            )
        );
    }

    function test_gas_accredit() public {
        ITrustRegistry.RoleGrant[] memory roles = _roles("did:web:sp.example", "P.Info.gold", "P.Info.silver");
        _cool();
        vm.prank(rootCtl);
        uint256 start = gasleft();
        reg.accredit(issuer, "CustomerCredential", roles, 1_700_000_000, 1_900_000_000);
        uint256 used = start - gasleft();
        _report(
            "accredit (1 type, 1 target, 2 roles)",
            used,
            abi.encodeCall(reg.accredit, (issuer, "CustomerCredential", roles, 1_700_000_000, 1_900_000_000))
        );
    }

    function test_gas_accreditGrandchild() public {
        ITrustRegistry.RoleGrant[] memory roles = _roles("did:web:sp.example", "P.Info.gold", "P.Info.silver");
        vm.prank(rootCtl);
        reg.accredit(issuer, "CustomerCredential", roles, 1_700_000_000, 1_900_000_000);
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        reg.accredit(branch, "CustomerCredential", roles, 1_700_000_000, 1_900_000_000);
        uint256 used = start - gasleft();
        _report(
            "accredit below a non-root parent (containment checked)",
            used,
            abi.encodeCall(reg.accredit, (branch, "CustomerCredential", roles, 1_700_000_000, 1_900_000_000))
        );
    }

    function test_gas_setStatusesOneBitFreshWord() public {
        uint256[] memory indices = new uint256[](1);
        indices[0] = 4242;
        assertEq(status.word(list, 16), 0); // word of index 4242
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        status.setStatuses(list, indices, true);
        uint256 used = start - gasleft();
        _report("setStatuses 1 bit, fresh word", used, abi.encodeCall(status.setStatuses, (list, indices, true)));
    }

    function test_gas_setStatuses100BitsOneCall() public {
        uint256[] memory indices = _randomSortedIndices();
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        status.setStatuses(list, indices, true);
        uint256 used = start - gasleft();
        _report("setStatuses 100 bits, 1 call", used, abi.encodeCall(status.setStatuses, (list, indices, true)));
        for (uint256 i = 0; i < BITS; ++i) {
            assertTrue(status.isSet(list, indices[i]));
        }
    }

    function test_gas_setStatuses100BitsSingleCalls() public {
        uint256[] memory indices = _randomSortedIndices();
        uint256[] memory one = new uint256[](1);
        uint256 execSum;
        uint256 txSum;
        for (uint256 i = 0; i < BITS; ++i) {
            one[0] = indices[i];
            _cool();
            vm.prank(issuerCtl);
            uint256 start = gasleft();
            status.setStatuses(list, one, true);
            uint256 used = start - gasleft();
            execSum += used;
            txSum += used + 21_000 + _calldataGas(abi.encodeCall(status.setStatuses, (list, one, true)));
        }
        emit log_named_uint("setStatuses 100 bits, 100 calls exec (sum)", execSum);
        emit log_named_uint("setStatuses 100 bits, 100 calls tx (est., sum)", txSum);
        for (uint256 i = 0; i < BITS; ++i) {
            assertTrue(status.isSet(list, indices[i]));
        }
    }

    function test_gas_setStatuses256BitsOneCall() public {
        uint256[] memory indices = _randomSortedIndices(256);
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        status.setStatuses(list, indices, true);
        uint256 used = start - gasleft();
        _report("setStatuses 256 bits, 1 call", used, abi.encodeCall(status.setStatuses, (list, indices, true)));
        for (uint256 i = 0; i < 256; ++i) {
            assertTrue(status.isSet(list, indices[i]));
        }
    }

    function test_gas_setStatusesOneBitByDelegate() public {
        address delegate = vm.addr(60);
        vm.prank(issuerCtl);
        status.setDelegate(issuer, delegate, true);
        uint256[] memory indices = new uint256[](1);
        indices[0] = 4242;
        _cool();
        vm.prank(delegate);
        uint256 start = gasleft();
        status.setStatuses(list, indices, true);
        uint256 used = start - gasleft();
        assertTrue(status.isSet(list, 4242));
        _report("setStatuses 1 bit by a delegate", used, abi.encodeCall(status.setStatuses, (list, indices, true)));
    }

    /// @dev Clearing a set bit of a suspension list (lifting a suspension).
    function test_gas_setStatusesClearOneSuspensionBit() public {
        vm.prank(issuerCtl);
        uint256 suspension =
            status.createList(issuer, IStatusRegistry.Purpose.Suspension, 0, "https://issuer.example/status/2");
        uint256[] memory indices = new uint256[](1);
        indices[0] = 4242;
        vm.prank(issuerCtl);
        status.setStatuses(suspension, indices, true);
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        status.setStatuses(suspension, indices, false);
        uint256 used = start - gasleft();
        assertFalse(status.isSet(suspension, 4242));
        _report(
            "setStatuses clear 1 suspension bit", used, abi.encodeCall(status.setStatuses, (suspension, indices, false))
        );
    }

    function test_gas_setDelegateAuthorise() public {
        address delegate = vm.addr(60);
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        status.setDelegate(issuer, delegate, true);
        uint256 used = start - gasleft();
        assertTrue(status.isDelegate(issuer, delegate));
        _report("setDelegate authorise", used, abi.encodeCall(status.setDelegate, (issuer, delegate, true)));
    }

    function test_gas_setDelegateWithdraw() public {
        address delegate = vm.addr(60);
        vm.prank(issuerCtl);
        status.setDelegate(issuer, delegate, true);
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        status.setDelegate(issuer, delegate, false);
        uint256 used = start - gasleft();
        assertFalse(status.isDelegate(issuer, delegate));
        _report("setDelegate withdraw", used, abi.encodeCall(status.setDelegate, (issuer, delegate, false)));
    }

    function test_gas_setController() public {
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        reg.setController(issuer, vm.addr(61));
        uint256 used = start - gasleft();
        assertEq(reg.controllerOf(issuer), vm.addr(61));
        _report("setController", used, abi.encodeCall(reg.setController, (issuer, vm.addr(61))));
    }
}
