// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title NaiveStatusRegistry
/// @notice The gas baseline of bench/gas.py and test/StatusRegistryGas.t.sol, not part of trust-ledger: the revocation registry
/// as it is usually first written. One storage slot (a bool) per credential, an Ownable-style
/// owner kept in storage, and one event per revoked credential.
contract NaiveStatusRegistry {
    /// @notice The only address allowed to revoke: the deployer.
    address public owner;

    /// @notice Whether the credential at `index` is revoked.
    mapping(uint256 index => bool) public revoked;

    /// @notice The credential at `index` was revoked.
    /// @param index the credential's index
    event Revoked(uint256 indexed index);

    /// @notice `caller` is not the owner.
    error NaiveStatusRegistry__NotOwner(address caller);

    constructor() {
        owner = msg.sender;
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NaiveStatusRegistry__NotOwner(msg.sender);
        _;
    }

    /// @notice Revoke the credential at `index`.
    /// @param index the credential's index
    function revoke(uint256 index) external onlyOwner {
        _revoke(index);
    }

    /// @notice Revoke the credentials at `indices`, one slot and one event each.
    /// @param indices the credentials' indices
    function revokeMany(uint256[] calldata indices) external onlyOwner {
        for (uint256 i = 0; i < indices.length; ++i) {
            _revoke(indices[i]);
        }
    }

    function _revoke(uint256 index) private {
        revoked[index] = true;
        emit Revoked(index);
    }
}
