// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

interface IServiceRegistry {
    function addService(bytes32 node, string calldata serviceId, string calldata serviceType, string calldata endpoint)
        external;
}

/// @notice Test and benchmark helper: the controller of one entity that emits many real ServiceAdded events per transaction.
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

    function _decimal(uint256 value) private pure returns (string memory) {
        if (value == 0) return "0";
        uint256 digits;
        for (uint256 v = value; v != 0; v /= 10) {
            ++digits;
        }
        bytes memory out = new bytes(digits);
        for (; value != 0; value /= 10) {
            out[--digits] = bytes1(uint8(48 + value % 10));
        }
        return string(out);
    }
}
