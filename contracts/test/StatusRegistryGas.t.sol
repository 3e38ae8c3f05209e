// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixtures} from "./utils/Fixtures.sol";
import {IStatusRegistry} from "../src/interfaces/IStatusRegistry.sol";
import {StatusRegistry} from "../src/StatusRegistry.sol";
import {NaiveStatusRegistry} from "./baseline/NaiveStatusRegistry.sol";

/// @title StatusRegistryGas
/// @notice Gas of revocations, setStatuses beside setStatusWords, measured as test/Gas.t.sol does
/// (gasleft() around the call after vm.cool of both registries; "tx" adds the intrinsic 21,000 and
/// the calldata). Logged with `forge test --match-contract StatusRegistryGas -vv`; the per-entry
/// budget of a full list (issue 18: <= 150 gas per entry) and one revocation into a word that
/// already holds a bit (at or below the naive one-slot-per-credential contract of
/// test/baseline/NaiveStatusRegistry.sol (bench/gas.py's baseline), measured here the same way) are asserted. The owner is an issuer directly under the root, so every
/// write reads the owner's controller and the status of the owner and the root from the TrustRegistry.
contract StatusRegistryGas is Fixtures {
    uint256 internal constant LIST_SIZE = 131_072;
    uint256 internal constant WORDS = LIST_SIZE / 256;
    uint256 internal list;

    function setUp() public override {
        super.setUp();
        vm.prank(issuerCtl);
        list = status.createList(issuer, IStatusRegistry.Purpose.Revocation, 0, "https://issuer.example/status/1");
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Every storage slot of both registries cold, as in a fresh transaction, but the called
    /// account warm, as a transaction's `to` is (vm.cool cools storage, not the account access).
    function _cool() internal {
        status.listCount();
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

    function _one(uint256 a) internal pure returns (uint256[] memory out) {
        out = new uint256[](1);
        out[0] = a;
    }

    function _mask(uint256 index) internal pure returns (uint256) {
        return 1 << (255 - (index & 0xff));
    }

    /// @dev Revoke `index` with setStatusWords as its own cooled call; the estimated transaction gas.
    function _revokeWord(uint256 index, string memory name) internal returns (uint256) {
        uint256[] memory wordIndices = _one(index >> 8);
        uint256[] memory masks = _one(_mask(index));
        (StatusRegistry target, uint256 id) = (status, list);
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        target.setStatusWords(id, wordIndices, masks, true);
        uint256 used = start - gasleft();
        assertTrue(status.isSet(list, index));
        return _report(name, used, abi.encodeCall(status.setStatusWords, (list, wordIndices, masks, true)));
    }

    /// @dev Revoke `index` with setStatuses as its own cooled call; the estimated transaction gas.
    function _revokeIndex(uint256 index, string memory name) internal returns (uint256) {
        uint256[] memory indices = _one(index);
        (StatusRegistry target, uint256 id) = (status, list);
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        target.setStatuses(id, indices, true);
        uint256 used = start - gasleft();
        assertTrue(status.isSet(list, index));
        return _report(name, used, abi.encodeCall(status.setStatuses, (list, indices, true)));
    }

    /// @dev One revocation of the naive contract (a fresh slot, as every one of its revocations is),
    /// its estimated transaction gas measured as ours are.
    function _naiveRevocation() internal returns (uint256) {
        NaiveStatusRegistry naive = new NaiveStatusRegistry();
        vm.cool(address(naive));
        uint256 start = gasleft();
        naive.revoke(4242);
        uint256 used = start - gasleft();
        assertTrue(naive.revoked(4242));
        return _report("naive revoke 1 credential", used, abi.encodeCall(naive.revoke, (4242)));
    }

    /// @dev Revoke `index` with setStatus as its own cooled call; the estimated transaction gas.
    function _revokeOne(uint256 index, string memory name) internal returns (uint256) {
        (StatusRegistry target, uint256 id) = (status, list); // warm, as the fields of a transaction are
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        target.setStatus(id, index, true);
        uint256 used = start - gasleft();
        assertTrue(status.isSet(list, index));
        return _report(name, used, abi.encodeCall(status.setStatus, (list, index, true)));
    }

    // ------------------------------------------------------------------ one revocation

    function test_gas_oneRevocationFreshWord_setStatus() public {
        _revokeOne(4242, "setStatus 1 bit, fresh word");
    }

    function test_gas_oneRevocationSameWord_setStatus() public {
        _revokeOne(4242, "setup");
        uint256 txGas = _revokeOne(4243, "setStatus 1 bit, word already written");
        assertLt(txGas, _naiveRevocation() + 1, "at or below the naive contract");
    }

    function test_gas_oneRevocation_naive() public {
        _naiveRevocation();
    }

    function test_gas_oneRevocationFreshWord_setStatuses() public {
        _revokeIndex(4242, "setStatuses 1 bit, fresh word");
    }

    function test_gas_oneRevocationFreshWord_setStatusWords() public {
        _revokeWord(4242, "setStatusWords 1 bit, fresh word");
    }

    /// @dev The common case once a list is in use: the word already holds a revoked entry.
    function test_gas_oneRevocationSameWord_setStatuses() public {
        _revokeIndex(4242, "setup");
        uint256 txGas = _revokeIndex(4243, "setStatuses 1 bit, word already written");
        assertLt(txGas, _naiveRevocation() + 1, "at or below the naive contract");
    }

    function test_gas_oneRevocationSameWord_setStatusWords() public {
        _revokeWord(4242, "setup");
        _revokeWord(4243, "setStatusWords 1 bit, word already written");
    }

    // ------------------------------------------------------------------ a full list

    /// @dev Every entry of a 131,072-entry list revoked in one setStatusWords of 512 full words.
    function test_gas_fullListOneCall_setStatusWords() public {
        uint256[] memory wordIndices = new uint256[](WORDS);
        uint256[] memory masks = new uint256[](WORDS);
        for (uint256 w = 0; w < WORDS; ++w) {
            wordIndices[w] = w;
            masks[w] = type(uint256).max;
        }
        (StatusRegistry target, uint256 id) = (status, list);
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        target.setStatusWords(id, wordIndices, masks, true);
        uint256 used = start - gasleft();
        uint256 txGas = _report(
            "setStatusWords full list (512 words)",
            used,
            abi.encodeCall(status.setStatusWords, (list, wordIndices, masks, true))
        );
        emit log_named_uint("setStatusWords full list, gas per entry (tx)", txGas / LIST_SIZE);
        assertLt(txGas, 150 * LIST_SIZE + 1, "<= 150 gas per entry");
        assertEq(status.word(list, 0), type(uint256).max);
        assertEq(status.word(list, WORDS - 1), type(uint256).max);
    }

    /// @dev A full list through setStatuses, as bench/gas.py measured it before setStatusWords: 2,048
    /// indices per call, 64 calls alike; one of them is measured (the test contract's memory would grow
    /// with every call it encodes, and its expansion would be counted).
    function test_gas_fullListPerEntry_setStatuses() public {
        uint256[] memory indices = new uint256[](2048);
        for (uint256 i = 0; i < 2048; ++i) {
            indices[i] = i;
        }
        (StatusRegistry target, uint256 id) = (status, list);
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        target.setStatuses(id, indices, true);
        uint256 used = start - gasleft();
        uint256 txGas =
            _report("setStatuses 2,048 bits, 1 call", used, abi.encodeCall(status.setStatuses, (list, indices, true)));
        emit log_named_uint("setStatuses full list, gas per entry (tx)", txGas / 2048);
        assertEq(status.word(list, 7), type(uint256).max);
    }

    // ------------------------------------------------------------------ 100 random revocations

    /// @dev 100 distinct pseudo-random indices of the list, ascending (the seed of test/Gas.t.sol).
    function _randomSortedIndices() internal pure returns (uint256[] memory indices) {
        indices = new uint256[](100);
        uint256 n;
        for (uint256 nonce = 0; n < 100; ++nonce) {
            uint256 candidate = uint256(keccak256(abi.encode("gas-report", nonce))) % LIST_SIZE;
            bool seen;
            for (uint256 j = 0; j < n; ++j) {
                if (indices[j] == candidate) seen = true;
            }
            if (!seen) indices[n++] = candidate;
        }
        for (uint256 i = 1; i < 100; ++i) {
            uint256 v = indices[i];
            uint256 j = i;
            while (j > 0 && indices[j - 1] > v) {
                indices[j] = indices[j - 1];
                --j;
            }
            indices[j] = v;
        }
    }

    function test_gas_100RandomOneCall_setStatusWords() public {
        uint256[] memory indices = _randomSortedIndices();
        uint256[] memory wordIndices = new uint256[](100);
        uint256[] memory masks = new uint256[](100);
        uint256 n;
        for (uint256 i = 0; i < 100; ++i) {
            uint256 w = indices[i] >> 8;
            if (n == 0 || wordIndices[n - 1] != w) wordIndices[n++] = w;
            masks[n - 1] |= _mask(indices[i]);
        }
        assembly ("memory-safe") {
            mstore(wordIndices, n)
            mstore(masks, n)
        }
        (StatusRegistry target, uint256 id) = (status, list);
        _cool();
        vm.prank(issuerCtl);
        uint256 start = gasleft();
        target.setStatusWords(id, wordIndices, masks, true);
        uint256 used = start - gasleft();
        _report(
            "setStatusWords 100 random bits, 1 call",
            used,
            abi.encodeCall(status.setStatusWords, (list, wordIndices, masks, true))
        );
        for (uint256 i = 0; i < 100; ++i) {
            assertTrue(status.isSet(list, indices[i]));
        }
    }
}
