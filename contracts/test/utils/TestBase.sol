// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Vm} from "./Vm.sol";

/// @title TestBase
/// @notice Minimal stand-in for forge-std's Test: the cheatcode handle, assertions that revert
/// with a readable message, a bound helper and ds-test style log events (decoded by forge).
abstract contract TestBase {
    /// @notice Marks the contract as a test contract for Foundry.
    bool public IS_TEST = true;

    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    event log(string);
    event log_named_uint(string key, uint256 val);
    event log_named_bytes32(string key, bytes32 val);
    event log_named_address(string key, address val);

    // ------------------------------------------------------------------ assertions

    function fail(string memory message) internal pure {
        revert(message);
    }

    function assertTrue(bool condition) internal pure {
        if (!condition) fail("assertTrue failed");
    }

    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) fail(string.concat("assertTrue failed: ", message));
    }

    function assertFalse(bool condition) internal pure {
        if (condition) fail("assertFalse failed");
    }

    function assertFalse(bool condition, string memory message) internal pure {
        if (condition) fail(string.concat("assertFalse failed: ", message));
    }

    function assertEq(uint256 left, uint256 right) internal pure {
        assertEq(left, right, "");
    }

    function assertEq(uint256 left, uint256 right, string memory message) internal pure {
        if (left != right) {
            fail(_msg("assertEq(uint256)", toString(left), toString(right), message));
        }
    }

    function assertEq(bytes32 left, bytes32 right) internal pure {
        assertEq(left, right, "");
    }

    function assertEq(bytes32 left, bytes32 right, string memory message) internal pure {
        if (left != right) {
            fail(_msg("assertEq(bytes32)", toHex(abi.encodePacked(left)), toHex(abi.encodePacked(right)), message));
        }
    }

    function assertEq(address left, address right) internal pure {
        assertEq(left, right, "");
    }

    function assertEq(address left, address right, string memory message) internal pure {
        if (left != right) {
            fail(_msg("assertEq(address)", toHex(abi.encodePacked(left)), toHex(abi.encodePacked(right)), message));
        }
    }

    function assertEq(bool left, bool right) internal pure {
        assertEq(left, right, "");
    }

    function assertEq(bool left, bool right, string memory message) internal pure {
        if (left != right) {
            fail(_msg("assertEq(bool)", left ? "true" : "false", right ? "true" : "false", message));
        }
    }

    function assertEq(string memory left, string memory right) internal pure {
        assertEq(left, right, "");
    }

    function assertEq(string memory left, string memory right, string memory message) internal pure {
        if (keccak256(bytes(left)) != keccak256(bytes(right))) {
            fail(_msg("assertEq(string)", left, right, message));
        }
    }

    function assertEq(uint256[] memory left, uint256[] memory right, string memory message) internal pure {
        assertEq(left.length, right.length, string.concat(message, " (length)"));
        for (uint256 i = 0; i < left.length; ++i) {
            assertEq(left[i], right[i], string.concat(message, " [", toString(i), "]"));
        }
    }

    function assertLt(uint256 left, uint256 right, string memory message) internal pure {
        if (left >= right) fail(_msg("assertLt(uint256)", toString(left), toString(right), message));
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Maps `x` into [min, max] (inclusive), uniformly enough for fuzzing.
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, "bound: min > max");
        if (min == 0 && max == type(uint256).max) return x;
        return min + (x % (max - min + 1));
    }

    function toString(uint256 value) internal pure returns (string memory) {
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

    function toHex(bytes memory data) internal pure returns (string memory) {
        bytes16 symbols = "0123456789abcdef";
        bytes memory out = new bytes(2 + data.length * 2);
        out[0] = "0";
        out[1] = "x";
        for (uint256 i = 0; i < data.length; ++i) {
            out[2 + 2 * i] = symbols[uint8(data[i]) >> 4];
            out[3 + 2 * i] = symbols[uint8(data[i]) & 0x0f];
        }
        return string(out);
    }

    function _msg(string memory what, string memory left, string memory right, string memory message)
        private
        pure
        returns (string memory)
    {
        string memory base = string.concat(what, " failed: left=", left, " right=", right);
        return bytes(message).length == 0 ? base : string.concat(base, " (", message, ")");
    }
}

/// @title InvariantBase
/// @notice The target discovery hooks Foundry calls on an invariant test contract, with the
/// same shapes as forge-std's StdInvariant.
abstract contract InvariantBase is TestBase {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    address[] private _targetedContracts;
    FuzzSelector[] private _targetedSelectors;

    function targetContract(address target) internal {
        _targetedContracts.push(target);
    }

    function targetSelector(FuzzSelector memory selector) internal {
        _targetedSelectors.push(selector);
    }

    /// @notice Called by Foundry: the contracts the invariant fuzzer calls.
    function targetContracts() public view returns (address[] memory) {
        return _targetedContracts;
    }

    /// @notice Called by Foundry: the functions of those contracts it calls.
    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetedSelectors;
    }
}
