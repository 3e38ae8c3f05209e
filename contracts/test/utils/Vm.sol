// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Vm
/// @notice The subset of Foundry's cheatcodes these tests use (no forge-std is available offline).
/// @dev The cheatcode contract lives at address(uint160(uint256(keccak256("hevm cheat code")))).
interface Vm {
    /// @notice A log captured by recordLogs.
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    // caller control
    function prank(address msgSender) external;
    function startPrank(address msgSender) external;
    function stopPrank() external;

    // expectations
    function expectRevert() external;
    function expectRevert(bytes calldata revertData) external;
    function expectRevert(bytes4 revertSelector) external;
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData) external;
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData, address emitter) external;

    // logs
    function recordLogs() external;
    function getRecordedLogs() external returns (Log[] memory logs);

    // environment
    function warp(uint256 newTimestamp) external;
    function assume(bool condition) external pure;
    function addr(uint256 privateKey) external pure returns (address keyAddr);
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function label(address account, string calldata newLabel) external;
    /// @notice Marks `target` and all its storage slots cold, as at the start of a new transaction.
    function cool(address target) external;
}
