// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Status registry: credential status lists owned by registry entities
/// @notice A list belongs to one TrustRegistry entity. Its controller, or a delegate the
/// controller authorises, creates lists and sets or clears bits, only while the owner and
/// all its ancestors are Active. A delegation ends with the controller that made it: it is
/// bound to the controller's term (ITrustRegistry.controllerTerm), so after a change of
/// controller, even back to the one that named it, the delegate must be named again.
/// A revocation list's bits can only be set (revocation is final, W3C Bitstring Status List);
/// a suspension list's bits are set and cleared. Bits are packed 256 to a storage word; within
/// a word, list index 256*w + k is bit (255 - k), so the big-endian bytes of the words, in
/// order, are exactly the W3C Bitstring Status List bitstring (index 0 = left-most bit).
interface IStatusRegistry {
    /// @notice What a set bit means: Revocation (final: bits are only ever set) or Suspension
    /// (reversible: bits are set and cleared).
    enum Purpose {
        Revocation,
        Suspension
    }

    /// @notice A status list.
    /// @param owner TrustRegistry node that owns the list
    /// @param purpose revocation or suspension
    /// @param size number of entries, a multiple of 256
    /// @param uri where the list credential is published
    struct StatusList {
        bytes32 owner;
        Purpose purpose;
        uint32 size;
        string uri;
    }

    /// @notice A status list was created.
    /// @param listId the new list's id (sequential from 1)
    /// @param owner TrustRegistry node that owns it
    /// @param purpose revocation or suspension
    /// @param size number of entries
    /// @param uri where the list credential is published
    /// @param by the owner's controller or delegate that created it
    event StatusListCreated(
        uint256 indexed listId, bytes32 indexed owner, Purpose purpose, uint32 size, string uri, address by
    );

    /// @notice Bits of a list changed; carries the resulting value of every changed word.
    /// @param listId the list
    /// @param wordIndices indices of the changed 256-bit words, in the order they were written
    /// @param words the value of each of those words after the change
    /// @param by the owner's controller or delegate that changed them
    event StatusWordsChanged(uint256 indexed listId, uint256[] wordIndices, uint256[] words, address by);

    /// @notice The owner's controller authorised or de-authorised a delegate. A delegation also ends,
    /// with no event here, when the owner's controller changes (TrustRegistry's
    /// EntityControllerChanged): a follower drops the owner's delegates on that event.
    /// @param owner TrustRegistry node
    /// @param delegate the delegate address
    /// @param authorised true when authorised, false when withdrawn
    /// @param by the owner's controller
    event StatusDelegateChanged(bytes32 indexed owner, address indexed delegate, bool authorised, address by);

    /// @notice `caller` is neither the controller of `owner` nor a delegate named by that controller.
    error StatusRegistry__NotAuthorised(bytes32 owner, address caller);
    /// @notice `caller` is not the controller of `owner` (delegates cannot appoint delegates).
    error StatusRegistry__NotController(bytes32 owner, address caller);
    /// @notice `inactiveNode` (the owner or an ancestor of it) is not Active.
    error StatusRegistry__OwnerNotActive(bytes32 owner, bytes32 inactiveNode);
    /// @notice There is no list `listId`.
    error StatusRegistry__UnknownList(uint256 listId);
    /// @notice `size` must be a non-zero multiple of 256 up to 2^24 (0 means the default).
    error StatusRegistry__InvalidSize(uint32 size);
    /// @notice `uri` is not a URI of 1..512 bytes (see Grammar.uriFault). `at` is the offset of the
    /// first byte that breaks the grammar, the length when the value ends too early, or 512 when
    /// it is too long.
    error StatusRegistry__InvalidUri(string uri, uint256 at);
    /// @notice `index` is outside list `listId` of `size` entries.
    error StatusRegistry__IndexOutOfRange(uint256 listId, uint256 index, uint32 size);
    /// @notice The delegate address must not be zero.
    error StatusRegistry__ZeroDelegate();
    /// @notice List `listId` is a revocation list: its bits can only be set, since revocation is final
    /// (W3C Bitstring Status List); `index` is the first index of the refused clearing batch (for
    /// setStatusWords, the first entry its first mask names: 256 * word index + the mask's leading zeros,
    /// the word's first entry for a zero mask).
    error StatusRegistry__RevocationIsFinal(uint256 listId, uint256 index);
    /// @notice setStatusWords was given `wordIndices` word indices but `masks` masks.
    error StatusRegistry__LengthMismatch(uint256 wordIndices, uint256 masks);
    /// @notice `wordIndex` is outside list `listId` of `words` 256-bit words (size / 256).
    error StatusRegistry__WordOutOfRange(uint256 listId, uint256 wordIndex, uint256 words);

    /// @notice Create a status list owned by `owner`.
    /// @param owner TrustRegistry node that will own the list
    /// @param purpose revocation or suspension
    /// @param size number of entries, a multiple of 256; 0 for the default 131,072
    /// @param uri where the list credential will be published, an absolute URI of 1..512 bytes
    /// (see Grammar.uriFault)
    /// @return listId the new list's id
    function createList(bytes32 owner, Purpose purpose, uint32 size, string calldata uri)
        external
        returns (uint256 listId);

    /// @notice Set (`value` true) or clear (false) the bits at `indices` of list `listId`.
    /// @dev Indices may come in any order; sorted indices touch each word once and cost least.
    /// Emits one StatusWordsChanged with every word that changed, or nothing if none did.
    /// Clearing a revocation list is refused as a whole (StatusRegistry__RevocationIsFinal with the
    /// first index), whether or not that index is set: clearing is not an operation of such a list.
    /// An empty batch changes nothing, whatever the value.
    /// @param listId the list
    /// @param indices the entries to change
    /// @param value the new bit value
    function setStatuses(uint256 listId, uint256[] calldata indices, bool value) external;

    /// @notice Set (`value` true) or clear (false) the bit at `index` of list `listId`: setStatuses for
    /// one entry (one revocation), with less calldata and no loop or arrays to decode.
    /// @dev The same rules and event as setStatuses: one StatusWordsChanged naming the word if it
    /// changed, else nothing.
    /// @param listId the list
    /// @param index the entry to change
    /// @param value the new bit value
    function setStatus(uint256 listId, uint256 index, bool value) external;

    /// @notice Set (`value` true) or clear (false) whole groups of bits of list `listId`: in word
    /// `wordIndices[i]`, every bit set in `masks[i]` (bit 255 - k of a mask is entry 256 * w + k, as
    /// in `word`). The same rules and event as setStatuses, for a fraction of its gas when bits share
    /// words: 32 bytes of calldata name up to 256 entries, and there is no per-entry loop.
    /// @dev Emits one StatusWordsChanged with every word that changed, in the order written, or
    /// nothing if none did; a word index given twice is written twice. Clearing a revocation list is
    /// refused as a whole (StatusRegistry__RevocationIsFinal); an empty batch changes nothing.
    /// @param listId the list
    /// @param wordIndices the words to change, each below size / 256
    /// @param masks for each word, the bits to set or clear (as many masks as word indices)
    /// @param value the new bit value
    function setStatusWords(uint256 listId, uint256[] calldata wordIndices, uint256[] calldata masks, bool value)
        external;

    /// @notice Authorise or withdraw a delegate for `owner`'s lists; only the owner's controller may.
    /// @dev The delegation holds for the controller's current term only (see the contract notice).
    /// Naming again a delegate of an earlier term is a real change (an event); withdrawing one is a
    /// no-op (no event), since it already ended.
    /// @param owner TrustRegistry node
    /// @param delegate the delegate address
    /// @param authorised true to authorise, false to withdraw
    function setDelegate(bytes32 owner, address delegate, bool authorised) external;

    /// @notice The list `listId` (owner zero and size 0 if it does not exist).
    /// @param listId the list
    /// @return the list
    function statusList(uint256 listId) external view returns (StatusList memory);

    /// @notice The number of lists created so far; ids run from 1 to this.
    /// @return the count
    function listCount() external view returns (uint256);

    /// @notice Whether the bit at `index` of list `listId` is set.
    /// @param listId the list
    /// @param index the entry
    /// @return true when set
    function isSet(uint256 listId, uint256 index) external view returns (bool);

    /// @notice The 256-bit word `wordIndex` of list `listId`.
    /// @param listId the list
    /// @param wordIndex index of the word (entry / 256)
    /// @return the word
    function word(uint256 listId, uint256 wordIndex) external view returns (uint256);

    /// @notice Whether `delegate` may act for `owner`'s lists: named by the current controller in its
    /// current term and not withdrawn.
    /// @param owner TrustRegistry node
    /// @param delegate an address
    /// @return true when authorised
    function isDelegate(bytes32 owner, address delegate) external view returns (bool);

    /// @notice The TrustRegistry this registry takes owners, controllers and statuses from.
    /// @return the registry address
    function trustRegistry() external view returns (address);
}
