// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IStatusRegistry} from "./interfaces/IStatusRegistry.sol";
import {ITrustRegistry} from "./interfaces/ITrustRegistry.sol";
import {Grammar} from "./Grammar.sol";

/// @title StatusRegistry
/// @notice See IStatusRegistry.
contract StatusRegistry is IStatusRegistry {
    /// @notice Entries in a list created with size 0 (the W3C Bitstring Status List minimum).
    uint32 public constant DEFAULT_SIZE = 131_072;
    uint32 public constant MAX_SIZE = 16_777_216;

    ITrustRegistry private immutable _registry;
    uint256 private _listCount;
    mapping(uint256 listId => StatusList) private _lists;
    mapping(uint256 listId => mapping(uint256 wordIndex => uint256)) private _words;
    /// @dev 1 + the owner's controller term in which the delegation was made; 0 when never made or
    /// withdrawn. A delegation is in force only while this equals the owner's current term + 1, so a
    /// change of controller ends every delegation at once with no write here.
    mapping(bytes32 owner => mapping(address delegate => uint256 termPlusOne)) private _delegations;

    /// @param registry the TrustRegistry whose entities own lists
    constructor(ITrustRegistry registry) {
        _registry = registry;
    }

    /// @inheritdoc IStatusRegistry
    function createList(bytes32 owner, Purpose purpose, uint32 size, string calldata uri)
        external
        returns (uint256 listId)
    {
        _requireAuthorised(owner);
        if (size == 0) size = DEFAULT_SIZE;
        if (size % 256 != 0 || size > MAX_SIZE) revert StatusRegistry__InvalidSize(size);
        uint256 uriFault = Grammar.uriFault(bytes(uri));
        if (uriFault != Grammar.OK) revert StatusRegistry__InvalidUri(uri, uriFault);
        listId = ++_listCount;
        _lists[listId] = StatusList({owner: owner, purpose: purpose, size: size, uri: uri});
        emit StatusListCreated(listId, owner, purpose, size, uri, msg.sender);
    }

    /// @inheritdoc IStatusRegistry
    function setStatuses(uint256 listId, uint256[] calldata indices, bool value) external {
        (StatusList storage list, uint32 size) = _writableList(listId);
        if (!value && indices.length != 0 && list.purpose == Purpose.Revocation) {
            revert StatusRegistry__RevocationIsFinal(listId, indices[0]);
        }

        mapping(uint256 => uint256) storage words = _words[listId];
        uint256[] memory changedIndices = new uint256[](indices.length);
        uint256[] memory changedWords = new uint256[](indices.length);
        uint256 changed;
        uint256 openIndex = type(uint256).max; // the word being edited, flushed when the next index leaves it
        uint256 original;
        uint256 edited;
        for (uint256 i = 0; i < indices.length; ++i) {
            uint256 index = indices[i];
            if (index >= size) revert StatusRegistry__IndexOutOfRange(listId, index, size);
            uint256 wordIndex = index >> 8;
            if (wordIndex != openIndex) {
                if (edited != original) {
                    words[openIndex] = edited;
                    changedIndices[changed] = openIndex;
                    changedWords[changed++] = edited;
                }
                openIndex = wordIndex;
                original = words[wordIndex];
                edited = original;
            }
            uint256 mask = 1 << (255 - (index & 0xff));
            edited = value ? edited | mask : edited & ~mask;
        }
        if (edited != original) {
            words[openIndex] = edited;
            changedIndices[changed] = openIndex;
            changedWords[changed++] = edited;
        }
        if (changed == 0) return;
        assembly ("memory-safe") {
            mstore(changedIndices, changed)
            mstore(changedWords, changed)
        }
        emit StatusWordsChanged(listId, changedIndices, changedWords, msg.sender);
    }

    /// @inheritdoc IStatusRegistry
    function setStatus(uint256 listId, uint256 index, bool value) external {
        (StatusList storage list, uint32 size) = _writableList(listId);
        if (!value && list.purpose == Purpose.Revocation) revert StatusRegistry__RevocationIsFinal(listId, index);
        if (index >= size) revert StatusRegistry__IndexOutOfRange(listId, index, size);
        uint256 wordIndex = index >> 8;
        mapping(uint256 => uint256) storage words = _words[listId];
        uint256 original = words[wordIndex];
        uint256 mask = 1 << (255 - (index & 0xff));
        uint256 edited = value ? original | mask : original & ~mask;
        if (edited == original) return;
        words[wordIndex] = edited;
        _emitOneWordChanged(listId, wordIndex, edited);
    }

    /// @inheritdoc IStatusRegistry
    function setStatusWords(uint256 listId, uint256[] calldata wordIndices, uint256[] calldata masks, bool value)
        external
    {
        (StatusList storage list, uint32 size) = _writableList(listId);
        uint256 count = wordIndices.length;
        if (masks.length != count) revert StatusRegistry__LengthMismatch(count, masks.length);
        if (!value && count != 0 && list.purpose == Purpose.Revocation) {
            revert StatusRegistry__RevocationIsFinal(listId, (wordIndices[0] << 8) | _leadingZeros(masks[0]));
        }

        uint256 wordCount = uint256(size) >> 8;
        mapping(uint256 => uint256) storage words = _words[listId];
        uint256[] memory changedIndices = new uint256[](count);
        uint256[] memory changedWords = new uint256[](count);
        uint256 changed;
        for (uint256 i = 0; i < count; ++i) {
            uint256 wordIndex = wordIndices[i];
            if (wordIndex >= wordCount) revert StatusRegistry__WordOutOfRange(listId, wordIndex, wordCount);
            uint256 original = words[wordIndex];
            uint256 edited = value ? original | masks[i] : original & ~masks[i];
            if (edited != original) {
                words[wordIndex] = edited;
                changedIndices[changed] = wordIndex;
                changedWords[changed] = edited;
                unchecked {
                    ++changed; // at most count
                }
            }
        }
        if (changed == 0) return;
        assembly ("memory-safe") {
            mstore(changedIndices, changed)
            mstore(changedWords, changed)
        }
        emit StatusWordsChanged(listId, changedIndices, changedWords, msg.sender);
    }

    /// @inheritdoc IStatusRegistry
    function setDelegate(bytes32 owner, address delegate, bool authorised) external {
        (address controller, uint64 term) = _registry.controllerTerm(owner);
        if (controller != msg.sender) revert StatusRegistry__NotController(owner, msg.sender);
        _requireOwnerActive(owner);
        if (delegate == address(0)) revert StatusRegistry__ZeroDelegate();
        uint256 current = uint256(term) + 1;
        if ((_delegations[owner][delegate] == current) == authorised) return;
        _delegations[owner][delegate] = authorised ? current : 0;
        emit StatusDelegateChanged(owner, delegate, authorised, msg.sender);
    }

    /// @inheritdoc IStatusRegistry
    function statusList(uint256 listId) external view returns (StatusList memory) {
        return _lists[listId];
    }

    /// @inheritdoc IStatusRegistry
    function listCount() external view returns (uint256) {
        return _listCount;
    }

    /// @inheritdoc IStatusRegistry
    function isSet(uint256 listId, uint256 index) external view returns (bool) {
        return (_words[listId][index >> 8] >> (255 - (index & 0xff))) & 1 == 1;
    }

    /// @inheritdoc IStatusRegistry
    function word(uint256 listId, uint256 wordIndex) external view returns (uint256) {
        return _words[listId][wordIndex];
    }

    /// @inheritdoc IStatusRegistry
    function isDelegate(bytes32 owner, address delegate) external view returns (bool) {
        (, uint64 term) = _registry.controllerTerm(owner);
        return _delegations[owner][delegate] == uint256(term) + 1;
    }

    /// @inheritdoc IStatusRegistry
    function trustRegistry() external view returns (address) {
        return address(_registry);
    }

    /// @dev List `listId` and its size, after checking that it exists and msg.sender may write it
    /// (see _requireAuthorised). Its purpose shares the slot of size, so reading it is a warm read.
    function _writableList(uint256 listId) internal view returns (StatusList storage list, uint32 size) {
        list = _lists[listId];
        size = list.size;
        if (size == 0) revert StatusRegistry__UnknownList(listId);
        _requireAuthorised(list.owner);
    }

    /// @dev emit StatusWordsChanged(listId, [wordIndex], [edited], msg.sender), its ABI data written
    /// straight to free memory: the same log as the high-level emit, without allocating two arrays.
    function _emitOneWordChanged(uint256 listId, uint256 wordIndex, uint256 edited) private {
        bytes32 topic = StatusWordsChanged.selector;
        assembly ("memory-safe") {
            let data := mload(0x40)
            mstore(data, 0x60) // offset of wordIndices
            mstore(add(data, 0x20), 0xa0) // offset of words
            mstore(add(data, 0x40), caller()) // by
            mstore(add(data, 0x60), 1) // wordIndices.length
            mstore(add(data, 0x80), wordIndex)
            mstore(add(data, 0xa0), 1) // words.length
            mstore(add(data, 0xc0), edited)
            log2(data, 0xe0, topic, listId)
        }
    }

    /// @dev The number of leading zero bits of `mask` (0 for a zero mask): the first entry it names.
    function _leadingZeros(uint256 mask) internal pure returns (uint256 zeros) {
        if (mask == 0) return 0;
        for (uint256 half = 128; half != 0; half >>= 1) {
            if (mask >> (256 - half) == 0) {
                zeros += half;
                mask <<= half;
            }
        }
    }

    /// @dev msg.sender is the owner's controller or a delegate it named in its current term, and the
    /// owner with all its ancestors is Active.
    function _requireAuthorised(bytes32 owner) internal view {
        (address controller, uint64 term) = _registry.controllerTerm(owner);
        if (controller != msg.sender && _delegations[owner][msg.sender] != uint256(term) + 1) {
            revert StatusRegistry__NotAuthorised(owner, msg.sender);
        }
        _requireOwnerActive(owner);
    }

    function _requireOwnerActive(bytes32 owner) internal view {
        (bool active, bytes32 inactiveNode) = _registry.effectiveStatus(owner);
        if (!active) revert StatusRegistry__OwnerNotActive(owner, inactiveNode);
    }
}
