// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

interface IServiceRegistry {
    function addService(bytes32 node, string calldata serviceId, string calldata serviceType, string calldata endpoint)
        external;
    function register(
        bytes32 parent,
        string calldata label,
        string calldata did,
        address controller,
        uint64 proofExpiry,
        bytes calldata proof
    ) external returns (bytes32 node);
}

/// @notice Test and benchmark helper: controls entities and emits many real events per transaction.
contract EventPump {
    IServiceRegistry private immutable registry;

    constructor(IServiceRegistry registry_) {
        registry = registry_;
    }

    function pump(bytes32 node, uint256 first, uint256 count) external {
        for (uint256 i = first; i < first + count; ++i) {
            registry.addService(node, string.concat("s", _decimal(i)), "Pump", "https://pump.example");
        }
    }

    /// @notice Register children "e<i>" with DIDs "<didPrefix><i>" under `parent`, all controlled by this pump.
    /// @dev No proof of control: the prefix must be of a method without one (did:example:...).
    function registerChildren(bytes32 parent, string calldata didPrefix, uint256 first, uint256 count) external {
        for (uint256 i = first; i < first + count; ++i) {
            string memory suffix = _decimal(i);
            registry.register(
                parent, string.concat("e", suffix), string.concat(didPrefix, suffix), address(this), 0, ""
            );
        }
    }

    function _decimal(uint256 value) private pure returns (string memory) {
        if (value == 0) return "0";
        uint256 digits;
        for (uint256 v = value; v != 0; v /= 10) {
            ++digits;
        }
        bytes memory out = new bytes(digits);
        for (; value != 0; value /= 10) {
            // casting to 'uint8' is safe because 48 + a decimal digit is at most 57
            // forge-lint: disable-next-line(unsafe-typecast)
            out[--digits] = bytes1(uint8(48 + value % 10));
        }
        return string(out);
    }
}
