// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixtures} from "./utils/Fixtures.sol";
import {Vm} from "./utils/Vm.sol";
import {ITrustRegistry} from "../src/interfaces/ITrustRegistry.sol";
import {IStatusRegistry} from "../src/interfaces/IStatusRegistry.sol";

/// @title StatusRegistryTest
/// @notice One test per rule and per custom error of StatusRegistry, plus fuzzing against a reference bitmap.
contract StatusRegistryTest is Fixtures {
    IStatusRegistry.Purpose internal constant REVOCATION = IStatusRegistry.Purpose.Revocation;
    IStatusRegistry.Purpose internal constant SUSPENSION = IStatusRegistry.Purpose.Suspension;
    string internal constant URI = "https://issuer.example/status/1";
    uint32 internal constant DEFAULT_SIZE = 131_072;

    address internal delegate;
    uint256 internal list; // default-size revocation list owned by `issuer`

    function setUp() public override {
        super.setUp();
        delegate = vm.addr(30);
        vm.label(delegate, "delegate");
        vm.prank(issuerCtl);
        list = status.createList(issuer, REVOCATION, 0, URI);
    }

    // ------------------------------------------------------------------ helpers

    function _one(uint256 a) internal pure returns (uint256[] memory out) {
        out = new uint256[](1);
        out[0] = a;
    }

    function _two(uint256 a, uint256 b) internal pure returns (uint256[] memory out) {
        out = new uint256[](2);
        out[0] = a;
        out[1] = b;
    }

    function _three(uint256 a, uint256 b, uint256 c) internal pure returns (uint256[] memory out) {
        out = new uint256[](3);
        (out[0], out[1], out[2]) = (a, b, c);
    }

    function _set(uint256 listId, uint256[] memory indices, bool value, address by) internal {
        vm.prank(by);
        status.setStatuses(listId, indices, value);
    }

    function _authorise(address d) internal {
        vm.prank(issuerCtl);
        status.setDelegate(issuer, d, true);
    }

    function _suspensionList() internal returns (uint256 id) {
        vm.prank(issuerCtl);
        id = status.createList(issuer, SUSPENSION, 0, "https://issuer.example/status/2");
    }

    function _handOver(bytes32 node, address from, address to) internal {
        vm.prank(from);
        reg.setController(node, to);
    }

    // ================================================================== createList

    function test_createList_emitsStatusListCreatedIfControllerCreates() public {
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusListCreated(2, issuer, SUSPENSION, DEFAULT_SIZE, "https://x/2", issuerCtl);
        vm.prank(issuerCtl);
        uint256 id = status.createList(issuer, SUSPENSION, 0, "https://x/2");
        assertEq(id, 2, "ids are sequential from 1");
        assertEq(status.listCount(), 2);
    }

    function test_createList_storesDefaultSizeIfSizeZero() public view {
        IStatusRegistry.StatusList memory l = status.statusList(list);
        assertEq(list, 1);
        assertEq(l.owner, issuer);
        assertEq(uint256(l.purpose), uint256(REVOCATION));
        assertEq(l.size, 131_072);
        assertEq(l.uri, URI);
    }

    function test_createList_storesCustomSizeIfSizeGiven() public {
        vm.startPrank(issuerCtl);
        uint256 small = status.createList(issuer, REVOCATION, 256, URI);
        uint256 big = status.createList(issuer, SUSPENSION, 16_777_216, URI);
        vm.stopPrank();
        assertEq(status.statusList(small).size, 256);
        assertEq(status.statusList(big).size, 16_777_216);
        assertEq(uint256(status.statusList(big).purpose), uint256(SUSPENSION));
    }

    function test_createList_revertsIfSizeNotMultipleOf256() public {
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__InvalidSize.selector, 100));
        status.createList(issuer, REVOCATION, 100, URI);
    }

    function test_createList_revertsIfSizeAboveMax() public {
        uint32 size = 16_777_216 + 256;
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__InvalidSize.selector, size));
        status.createList(issuer, REVOCATION, size, URI);
    }

    function test_createList_revertsIfCallerIsStranger() public {
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotAuthorised.selector, issuer, stranger)
        );
        status.createList(issuer, REVOCATION, 0, URI);
    }

    function test_createList_revertsIfCallerIsParentController() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotAuthorised.selector, issuer, rootCtl));
        status.createList(issuer, REVOCATION, 0, URI);
    }

    function test_createList_revertsIfOwnerUnknown() public {
        bytes32 ghost = reg.childNode(ROOT, "ghost");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotAuthorised.selector, ghost, stranger));
        status.createList(ghost, REVOCATION, 0, URI);
    }

    function test_createList_revertsIfOwnerSuspended() public {
        _setStatus(issuer, ITrustRegistry.EntityStatus.Suspended, rootCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__OwnerNotActive.selector, issuer, issuer));
        status.createList(issuer, REVOCATION, 0, URI);
    }

    function test_createList_revertsIfOwnerAncestorSuspended() public {
        _setStatus(issuer, ITrustRegistry.EntityStatus.Suspended, rootCtl);
        vm.prank(branchCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__OwnerNotActive.selector, branch, issuer));
        status.createList(branch, REVOCATION, 0, URI);
    }

    function test_createList_revertsIfOwnerRevoked() public {
        _setStatus(branch, ITrustRegistry.EntityStatus.Revoked, issuerCtl);
        vm.prank(branchCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__OwnerNotActive.selector, branch, branch));
        status.createList(branch, REVOCATION, 0, URI);
    }

    function test_createList_succeedsIfCallerIsDelegate() public {
        _authorise(delegate);
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusListCreated(2, issuer, REVOCATION, 1024, URI, delegate);
        vm.prank(delegate);
        status.createList(issuer, REVOCATION, 1024, URI);
        assertEq(status.statusList(2).owner, issuer);
    }

    function test_createList_succeedsIfCallerIsRootController() public {
        vm.prank(rootCtl);
        uint256 id = status.createList(ROOT, REVOCATION, 0, URI);
        assertEq(status.statusList(id).owner, ROOT);
    }

    // ================================================================== setStatuses

    function test_setStatuses_emitsStatusWordsChangedIfControllerSetsBit() public {
        uint256[] memory wordIndices = _one(0);
        uint256[] memory words = _one(1 << 255);
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusWordsChanged(list, wordIndices, words, issuerCtl);
        _set(list, _one(0), true, issuerCtl);
        assertTrue(status.isSet(list, 0));
        assertFalse(status.isSet(list, 1));
    }

    function test_setStatuses_setsMostSignificantBitIfIndexZero() public {
        _set(list, _one(0), true, issuerCtl);
        assertEq(status.word(list, 0), 1 << 255, "index 0 is the left-most bit of word 0");
    }

    function test_setStatuses_setsLowestBitOfLastWordIfIndexIsLast() public {
        _set(list, _one(131_071), true, issuerCtl);
        assertEq(status.word(list, 511), 1, "index 131071 is the lowest bit of word 511");
        assertTrue(status.isSet(list, 131_071));
    }

    function test_setStatuses_followsBitstringOrderIfWordBoundary() public {
        _set(list, _two(255, 256), true, issuerCtl);
        assertEq(status.word(list, 0), 1, "index 255 is the lowest bit of word 0");
        assertEq(status.word(list, 1), 1 << 255, "index 256 is the highest bit of word 1");
        _set(list, _one(257), true, issuerCtl);
        assertEq(status.word(list, 1), (1 << 255) | (1 << 254));
    }

    function test_setStatuses_emitsStatusWordsChangedIfControllerClearsSuspensionBit() public {
        uint256 suspension = _suspensionList();
        _set(suspension, _two(0, 7), true, issuerCtl);
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusWordsChanged(suspension, _one(0), _one(1 << 248), issuerCtl);
        _set(suspension, _one(0), false, issuerCtl);
        assertFalse(status.isSet(suspension, 0), "a suspension is lifted");
        assertTrue(status.isSet(suspension, 7));
    }

    function test_setStatuses_emitsStatusWordsChangedIfDelegateClearsSuspensionBit() public {
        uint256 suspension = _suspensionList();
        _authorise(delegate);
        _set(suspension, _one(9), true, delegate);
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusWordsChanged(suspension, _one(0), _one(0), delegate);
        _set(suspension, _one(9), false, delegate);
        assertFalse(status.isSet(suspension, 9));
    }

    function test_setStatuses_revertsIfControllerClearsRevocationBit() public {
        _set(list, _two(0, 7), true, issuerCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__RevocationIsFinal.selector, list, 7));
        status.setStatuses(list, _one(7), false);
        assertTrue(status.isSet(list, 7), "a revoked entry stays revoked");
        assertEq(status.word(list, 0), (1 << 255) | (1 << 248));
    }

    function test_setStatuses_revertsIfDelegateClearsRevocationBit() public {
        _authorise(delegate);
        _set(list, _one(300), true, delegate);
        vm.prank(delegate);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__RevocationIsFinal.selector, list, 300));
        status.setStatuses(list, _one(300), false);
        assertTrue(status.isSet(list, 300));
    }

    /// @dev Clearing is not an operation of a revocation list: the batch is refused whole, naming its
    /// first index whether that one is set or not.
    function test_setStatuses_revertsIfRevocationBatchClearsAnyIndex() public {
        _set(list, _one(7), true, issuerCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__RevocationIsFinal.selector, list, 3));
        status.setStatuses(list, _two(3, 7), false);
        assertTrue(status.isSet(list, 7), "the whole batch reverts");
    }

    function test_setStatuses_emitsNothingIfRevocationClearBatchEmpty() public {
        _set(list, _one(7), true, issuerCtl);
        vm.recordLogs();
        _set(list, new uint256[](0), false, issuerCtl);
        assertEq(_logCount(), 0);
        assertTrue(status.isSet(list, 7));
    }

    function test_setStatuses_emitsOneEntryPerWordIfIndicesSorted() public {
        uint256[] memory indices = new uint256[](5);
        indices[0] = 1;
        indices[1] = 2;
        indices[2] = 300;
        indices[3] = 301;
        indices[4] = 131_071;
        uint256[] memory wordIndices = new uint256[](3);
        uint256[] memory words = new uint256[](3);
        (wordIndices[0], words[0]) = (0, (1 << 254) | (1 << 253));
        (wordIndices[1], words[1]) = (1, (1 << (255 - 44)) | (1 << (255 - 45)));
        (wordIndices[2], words[2]) = (511, 1);
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusWordsChanged(list, wordIndices, words, issuerCtl);
        _set(list, indices, true, issuerCtl);
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(status.word(list, wordIndices[i]), words[i], "emitted word equals stored word");
        }
    }

    function test_setStatuses_setsAllIfIndicesUnsortedWithDuplicates() public {
        uint256[] memory indices = new uint256[](7);
        indices[0] = 300;
        indices[1] = 5;
        indices[2] = 131_071;
        indices[3] = 5;
        indices[4] = 260;
        indices[5] = 0;
        indices[6] = 300;
        vm.recordLogs();
        _set(list, indices, true, issuerCtl);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1, "exactly one event");
        assertEq(logs[0].topics[0], IStatusRegistry.StatusWordsChanged.selector);
        assertEq(uint256(logs[0].topics[1]), list);
        (uint256[] memory wordIndices, uint256[] memory words, address by) =
            abi.decode(logs[0].data, (uint256[], uint256[], address));
        assertEq(by, issuerCtl);
        assertEq(wordIndices.length, words.length);
        // replaying the event in order yields the stored words
        uint256[512] memory replay;
        for (uint256 i = 0; i < wordIndices.length; ++i) {
            replay[wordIndices[i]] = words[i];
        }
        assertEq(replay[0], (1 << 255) | (1 << 250), "word 0");
        assertEq(replay[1], (1 << (255 - 44)) | (1 << (255 - 4)), "word 1");
        assertEq(replay[511], 1, "word 511");
        for (uint256 w = 0; w < 512; ++w) {
            assertEq(status.word(list, w), replay[w], "stored == replayed");
        }
        for (uint256 i = 0; i < indices.length; ++i) {
            assertTrue(status.isSet(list, indices[i]));
        }
    }

    function test_setStatuses_emitsNothingIfNothingChanges() public {
        uint256 suspension = _suspensionList();
        _set(list, _two(3, 4), true, issuerCtl);
        vm.recordLogs();
        _set(list, _two(4, 3), true, issuerCtl); // already set
        _set(suspension, _two(5, 600), false, issuerCtl); // already clear
        _set(list, new uint256[](0), true, issuerCtl); // nothing at all
        assertEq(_logCount(), 0, "no event when no word changes");
    }

    function test_setStatuses_emitsOnlyChangedWordsIfSomeUnchanged() public {
        _set(list, _one(3), true, issuerCtl);
        uint256[] memory indices = new uint256[](2);
        indices[0] = 3; // word 0 already has it
        indices[1] = 512; // word 2 changes
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusWordsChanged(list, _one(2), _one(1 << 255), issuerCtl);
        _set(list, indices, true, issuerCtl);
    }

    function test_setStatuses_revertsIfIndexOutOfRange() public {
        vm.prank(issuerCtl);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStatusRegistry.StatusRegistry__IndexOutOfRange.selector, list, 131_072, DEFAULT_SIZE
            )
        );
        status.setStatuses(list, _two(0, 131_072), true);
        assertFalse(status.isSet(list, 0), "the whole batch reverts");
    }

    function test_setStatuses_revertsIfIndexOutOfRangeOfSmallList() public {
        vm.prank(issuerCtl);
        uint256 small = status.createList(issuer, SUSPENSION, 512, URI);
        vm.prank(issuerCtl);
        vm.expectRevert(
            abi.encodeWithSelector(IStatusRegistry.StatusRegistry__IndexOutOfRange.selector, small, 512, 512)
        );
        status.setStatuses(small, _one(512), true);
        _set(small, _one(511), true, issuerCtl);
        assertEq(status.word(small, 1), 1);
    }

    function test_setStatuses_revertsIfUnknownList() public {
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__UnknownList.selector, 0));
        status.setStatuses(0, _one(0), true);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__UnknownList.selector, 2));
        status.setStatuses(2, _one(0), true);
    }

    function test_setStatuses_revertsIfCallerIsStranger() public {
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotAuthorised.selector, issuer, stranger)
        );
        status.setStatuses(list, _one(0), true);
    }

    function test_setStatuses_revertsIfCallerIsParentController() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotAuthorised.selector, issuer, rootCtl));
        status.setStatuses(list, _one(0), true);
    }

    function test_setStatuses_revertsIfOwnerSuspended() public {
        _setStatus(issuer, ITrustRegistry.EntityStatus.Suspended, rootCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__OwnerNotActive.selector, issuer, issuer));
        status.setStatuses(list, _one(0), true);
    }

    function test_setStatuses_revertsIfOwnerAncestorSuspended() public {
        vm.prank(branchCtl);
        uint256 branchList = status.createList(branch, REVOCATION, 0, URI);
        _setStatus(issuer, ITrustRegistry.EntityStatus.Suspended, rootCtl);
        vm.prank(branchCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__OwnerNotActive.selector, branch, issuer));
        status.setStatuses(branchList, _one(0), true);
    }

    function test_setStatuses_succeedsIfCallerIsDelegate() public {
        _authorise(delegate);
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusWordsChanged(list, _one(0), _one(1 << 255), delegate);
        _set(list, _one(0), true, delegate);
    }

    function test_setStatuses_revertsIfDelegateWithdrawn() public {
        _authorise(delegate);
        vm.prank(issuerCtl);
        status.setDelegate(issuer, delegate, false);
        vm.prank(delegate);
        vm.expectRevert(
            abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotAuthorised.selector, issuer, delegate)
        );
        status.setStatuses(list, _one(0), true);
    }

    function test_setStatuses_followsControllerIfControllerRotated() public {
        address next = vm.addr(40);
        vm.prank(issuerCtl);
        reg.setController(issuer, next);
        vm.prank(issuerCtl);
        vm.expectRevert(
            abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotAuthorised.selector, issuer, issuerCtl)
        );
        status.setStatuses(list, _one(0), true);
        _set(list, _one(0), true, next);
        assertTrue(status.isSet(list, 0));
    }

    function test_setStatuses_revertsIfDelegateOfPreviousController() public {
        _authorise(delegate);
        _handOver(issuer, issuerCtl, vm.addr(40));
        vm.prank(delegate);
        vm.expectRevert(
            abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotAuthorised.selector, issuer, delegate)
        );
        status.setStatuses(list, _one(0), true);
        assertFalse(status.isSet(list, 0));
    }

    function test_setStatuses_succeedsIfDelegateNamedByNewController() public {
        address next = vm.addr(40);
        _authorise(delegate);
        _handOver(issuer, issuerCtl, next);
        // the old delegation is void, so naming the same address again is a real change
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusDelegateChanged(issuer, delegate, true, next);
        vm.prank(next);
        status.setDelegate(issuer, delegate, true);
        _set(list, _one(0), true, delegate);
        assertTrue(status.isSet(list, 0));
    }

    /// @dev A delegation ends with the controller term that made it: handing control back to the
    /// address that named the delegate does not bring the delegation back.
    function test_setStatuses_revertsIfControllerSwitchedBackAfterDelegation() public {
        address next = vm.addr(40);
        _authorise(delegate);
        _handOver(issuer, issuerCtl, next);
        _handOver(issuer, next, issuerCtl);
        assertFalse(status.isDelegate(issuer, delegate), "not resurrected by the switch back");
        vm.prank(delegate);
        vm.expectRevert(
            abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotAuthorised.selector, issuer, delegate)
        );
        status.setStatuses(list, _one(0), true);
    }

    function test_createList_revertsIfDelegateOfPreviousController() public {
        _authorise(delegate);
        _handOver(issuer, issuerCtl, vm.addr(40));
        vm.prank(delegate);
        vm.expectRevert(
            abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotAuthorised.selector, issuer, delegate)
        );
        status.createList(issuer, SUSPENSION, 0, URI);
    }

    // ================================================================== setStatus

    function test_setStatus_emitsStatusWordsChangedIfControllerSetsBit() public {
        _set(list, _one(300), true, issuerCtl);
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusWordsChanged(list, _one(1), _one((1 << (255 - 44)) | (1 << (255 - 45))), issuerCtl);
        vm.prank(issuerCtl);
        status.setStatus(list, 301, true);
        assertTrue(status.isSet(list, 301));
    }

    function test_setStatus_followsBitstringOrderAtEdges() public {
        vm.startPrank(issuerCtl);
        status.setStatus(list, 0, true);
        status.setStatus(list, 131_071, true);
        vm.stopPrank();
        assertEq(status.word(list, 0), 1 << 255, "index 0 is the highest bit of word 0");
        assertEq(status.word(list, 511), 1, "index 131071 is the lowest bit of word 511");
    }

    function test_setStatus_emitsStatusWordsChangedIfControllerClearsSuspensionBit() public {
        uint256 suspension = _suspensionList();
        _set(suspension, _two(0, 7), true, issuerCtl);
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusWordsChanged(suspension, _one(0), _one(1 << 248), issuerCtl);
        vm.prank(issuerCtl);
        status.setStatus(suspension, 0, false);
        assertFalse(status.isSet(suspension, 0));
    }

    function test_setStatus_revertsIfClearingRevocationList() public {
        _set(list, _one(7), true, issuerCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__RevocationIsFinal.selector, list, 7));
        status.setStatus(list, 7, false);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__RevocationIsFinal.selector, list, 8));
        status.setStatus(list, 8, false); // never set: clearing is still not an operation of the list
        assertTrue(status.isSet(list, 7));
    }

    function test_setStatus_emitsNothingIfUnchanged() public {
        uint256 suspension = _suspensionList();
        _set(list, _one(3), true, issuerCtl);
        vm.recordLogs();
        vm.startPrank(issuerCtl);
        status.setStatus(list, 3, true);
        status.setStatus(suspension, 3, false);
        vm.stopPrank();
        assertEq(_logCount(), 0);
    }

    function test_setStatus_revertsIfIndexOutOfRange() public {
        vm.prank(issuerCtl);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStatusRegistry.StatusRegistry__IndexOutOfRange.selector, list, 131_072, DEFAULT_SIZE
            )
        );
        status.setStatus(list, 131_072, true);
        vm.prank(issuerCtl);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStatusRegistry.StatusRegistry__IndexOutOfRange.selector, list, type(uint256).max, DEFAULT_SIZE
            )
        );
        status.setStatus(list, type(uint256).max, true);
    }

    function test_setStatus_revertsIfUnknownList() public {
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__UnknownList.selector, 0));
        status.setStatus(0, 0, true);
    }

    function test_setStatus_revertsIfCallerIsStrangerOrParentController() public {
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotAuthorised.selector, issuer, stranger)
        );
        status.setStatus(list, 0, true);
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotAuthorised.selector, issuer, rootCtl));
        status.setStatus(list, 0, true);
    }

    function test_setStatus_revertsIfOwnerAncestorSuspended() public {
        vm.prank(branchCtl);
        uint256 branchList = status.createList(branch, REVOCATION, 0, URI);
        _setStatus(issuer, ITrustRegistry.EntityStatus.Suspended, rootCtl);
        vm.prank(branchCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__OwnerNotActive.selector, branch, issuer));
        status.setStatus(branchList, 0, true);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__OwnerNotActive.selector, issuer, issuer));
        status.setStatus(list, 0, true);
    }

    function test_setStatus_followsDelegateTerm() public {
        _authorise(delegate);
        vm.prank(delegate);
        status.setStatus(list, 1, true);
        assertTrue(status.isSet(list, 1), "a delegate of the current term may");
        address next = vm.addr(40);
        _handOver(issuer, issuerCtl, next);
        _handOver(issuer, next, issuerCtl);
        vm.prank(delegate);
        vm.expectRevert(
            abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotAuthorised.selector, issuer, delegate)
        );
        status.setStatus(list, 2, true);
    }

    /// @dev Random single changes on a small list of either purpose, by the controller or a delegate:
    /// setStatus leaves the same words as setStatuses with that one index (on a twin list).
    function testFuzz_setStatus_matchesSetStatuses(uint256 seed, bool suspension) public {
        IStatusRegistry.Purpose purpose = suspension ? SUSPENSION : REVOCATION;
        vm.startPrank(issuerCtl);
        uint256 single = status.createList(issuer, purpose, 512, URI);
        uint256 batch = status.createList(issuer, purpose, 512, URI);
        vm.stopPrank();
        _authorise(delegate);
        for (uint256 step = 0; step < 16; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            uint256 index = (r >> 8) % 600; // some past the end
            bool value = suspension ? r & 1 == 1 : r & 15 != 0;
            address by = (r >> 4) & 1 == 1 ? delegate : issuerCtl;
            vm.prank(by);
            (bool okSingle, bytes memory errSingle) =
                address(status).call(abi.encodeCall(status.setStatus, (single, index, value)));
            vm.prank(by);
            (bool okBatch, bytes memory errBatch) =
                address(status).call(abi.encodeCall(status.setStatuses, (batch, _one(index), value)));
            assertEq(okSingle, okBatch, "same outcome");
            if (!okSingle) {
                // the same error, up to the list id it names
                assertEq(bytes4(errSingle), bytes4(errBatch), "same error");
            }
            assertEq(status.word(single, 0), status.word(batch, 0));
            assertEq(status.word(single, 1), status.word(batch, 1));
        }
    }

    // ================================================================== setStatusWords

    function _words(uint256 listId, uint256[] memory wordIndices, uint256[] memory masks, bool value, address by)
        internal
    {
        vm.prank(by);
        status.setStatusWords(listId, wordIndices, masks, value);
    }

    function test_setStatusWords_emitsStatusWordsChangedIfControllerSetsBits() public {
        _set(list, _one(300), true, issuerCtl); // word 1 holds entry 300 already
        uint256[] memory wordIndices = _two(1, 511);
        uint256[] memory masks = _two((1 << (255 - 44)) | (1 << (255 - 45)), 1);
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusWordsChanged(
            list, wordIndices, _two((1 << (255 - 44)) | (1 << (255 - 45)), 1), issuerCtl
        );
        _words(list, wordIndices, masks, true, issuerCtl);
        assertTrue(status.isSet(list, 300) && status.isSet(list, 301) && status.isSet(list, 131_071));
        assertFalse(status.isSet(list, 302));
    }

    function test_setStatusWords_setsSameBitsAsSetStatuses() public {
        vm.prank(issuerCtl);
        uint256 twin = status.createList(issuer, REVOCATION, 0, URI);
        uint256[] memory indices = new uint256[](4);
        (indices[0], indices[1], indices[2], indices[3]) = (0, 255, 256, 131_071);
        _set(list, indices, true, issuerCtl);
        _words(twin, _three(0, 1, 511), _three((1 << 255) | 1, 1 << 255, 1), true, issuerCtl);
        for (uint256 w = 0; w < 512; ++w) {
            assertEq(status.word(twin, w), status.word(list, w), "same words as setStatuses");
        }
    }

    function test_setStatusWords_emitsStatusWordsChangedIfControllerClearsSuspensionBits() public {
        uint256 suspension = _suspensionList();
        _set(suspension, _two(0, 7), true, issuerCtl);
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusWordsChanged(suspension, _one(0), _one(1 << 248), issuerCtl);
        _words(suspension, _one(0), _one((1 << 255) | (1 << 200)), false, issuerCtl); // 55 was never set
        assertFalse(status.isSet(suspension, 0), "a suspension is lifted");
        assertTrue(status.isSet(suspension, 7), "bits outside the mask stay");
    }

    function test_setStatusWords_revertsIfControllerClearsRevocationBit() public {
        _set(list, _two(300, 301), true, issuerCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__RevocationIsFinal.selector, list, 301));
        status.setStatusWords(list, _one(1), _one(1 << (255 - 45)), false);
        assertTrue(status.isSet(list, 301), "a revoked entry stays revoked");
    }

    /// @dev Refused whole, whether the bits are set or not, naming the first entry of the first mask
    /// (the word's first entry for a zero mask).
    function test_setStatusWords_revertsIfRevocationBatchClearsAnyBit() public {
        _authorise(delegate);
        _set(list, _one(7), true, delegate);
        vm.prank(delegate);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__RevocationIsFinal.selector, list, 512));
        status.setStatusWords(list, _two(2, 0), _two(0, 1 << 248), false);
        vm.prank(delegate);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__RevocationIsFinal.selector, list, 3));
        status.setStatusWords(list, _one(0), _one(1 << 252), false);
        assertTrue(status.isSet(list, 7));
    }

    function test_setStatusWords_emitsNothingIfRevocationClearBatchEmpty() public {
        _set(list, _one(7), true, issuerCtl);
        vm.recordLogs();
        _words(list, new uint256[](0), new uint256[](0), false, issuerCtl);
        assertEq(_logCount(), 0);
        assertTrue(status.isSet(list, 7));
    }

    function test_setStatusWords_emitsNothingIfNothingChanges() public {
        uint256 suspension = _suspensionList();
        _set(list, _two(3, 4), true, issuerCtl);
        vm.recordLogs();
        _words(list, _two(0, 9), _two(3 << 251, 0), true, issuerCtl); // already set; a zero mask
        _words(suspension, _one(5), _one(type(uint256).max), false, issuerCtl); // already clear
        _words(list, new uint256[](0), new uint256[](0), true, issuerCtl);
        assertEq(_logCount(), 0, "no event when no word changes");
    }

    function test_setStatusWords_emitsOnlyChangedWordsIfSomeUnchanged() public {
        _set(list, _one(3), true, issuerCtl);
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusWordsChanged(list, _one(2), _one(1 << 255), issuerCtl);
        _words(list, _two(0, 2), _two(1 << 252, 1 << 255), true, issuerCtl);
    }

    /// @dev A word given twice is written twice, and the event replays in order to the stored word.
    function test_setStatusWords_writesTwiceIfWordRepeated() public {
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusWordsChanged(list, _two(4, 4), _two(1, 3), issuerCtl);
        _words(list, _two(4, 4), _two(1, 2), true, issuerCtl);
        assertEq(status.word(list, 4), 3);
    }

    function test_setStatusWords_revertsIfLengthsDiffer() public {
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__LengthMismatch.selector, 2, 1));
        status.setStatusWords(list, _two(0, 1), _one(1), true);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__LengthMismatch.selector, 0, 1));
        status.setStatusWords(list, new uint256[](0), _one(1), true);
    }

    function test_setStatusWords_revertsIfWordOutOfRange() public {
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__WordOutOfRange.selector, list, 512, 512));
        status.setStatusWords(list, _two(0, 512), _two(1, 1), true);
        assertEq(status.word(list, 0), 0, "the whole batch reverts");
        vm.prank(issuerCtl);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStatusRegistry.StatusRegistry__WordOutOfRange.selector, list, type(uint256).max, 512
            )
        );
        status.setStatusWords(list, _one(type(uint256).max), _one(1), true);
    }

    function test_setStatusWords_revertsIfWordOutOfRangeOfSmallList() public {
        vm.prank(issuerCtl);
        uint256 small = status.createList(issuer, SUSPENSION, 512, URI);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__WordOutOfRange.selector, small, 2, 2));
        status.setStatusWords(small, _one(2), _one(1), true);
        _words(small, _one(1), _one(1), true, issuerCtl);
        assertTrue(status.isSet(small, 511));
    }

    function test_setStatusWords_revertsIfUnknownList() public {
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__UnknownList.selector, 2));
        status.setStatusWords(2, _one(0), _one(1), true);
    }

    function test_setStatusWords_revertsIfCallerIsStranger() public {
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotAuthorised.selector, issuer, stranger)
        );
        status.setStatusWords(list, _one(0), _one(1), true);
    }

    function test_setStatusWords_revertsIfCallerIsParentController() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotAuthorised.selector, issuer, rootCtl));
        status.setStatusWords(list, _one(0), _one(1), true);
    }

    function test_setStatusWords_revertsIfOwnerSuspended() public {
        _setStatus(issuer, ITrustRegistry.EntityStatus.Suspended, rootCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__OwnerNotActive.selector, issuer, issuer));
        status.setStatusWords(list, _one(0), _one(1), true);
    }

    function test_setStatusWords_revertsIfOwnerAncestorSuspended() public {
        vm.prank(branchCtl);
        uint256 branchList = status.createList(branch, REVOCATION, 0, URI);
        _setStatus(issuer, ITrustRegistry.EntityStatus.Suspended, rootCtl);
        vm.prank(branchCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__OwnerNotActive.selector, branch, issuer));
        status.setStatusWords(branchList, _one(0), _one(1), true);
    }

    function test_setStatusWords_succeedsIfCallerIsDelegate() public {
        _authorise(delegate);
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusWordsChanged(list, _one(0), _one(1 << 255), delegate);
        _words(list, _one(0), _one(1 << 255), true, delegate);
    }

    function test_setStatusWords_revertsIfDelegateOfPreviousController() public {
        _authorise(delegate);
        _handOver(issuer, issuerCtl, vm.addr(40));
        vm.prank(delegate);
        vm.expectRevert(
            abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotAuthorised.selector, issuer, delegate)
        );
        status.setStatusWords(list, _one(0), _one(1), true);
    }

    function test_setStatusWords_revertsIfControllerSwitchedBackAfterDelegation() public {
        address next = vm.addr(40);
        _authorise(delegate);
        _handOver(issuer, issuerCtl, next);
        _handOver(issuer, next, issuerCtl);
        vm.prank(delegate);
        vm.expectRevert(
            abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotAuthorised.selector, issuer, delegate)
        );
        status.setStatusWords(list, _one(0), _one(1), true);
    }

    // ================================================================== setDelegate

    function test_setDelegate_emitsStatusDelegateChangedIfControllerAuthorises() public {
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusDelegateChanged(issuer, delegate, true, issuerCtl);
        _authorise(delegate);
        assertTrue(status.isDelegate(issuer, delegate));
        assertFalse(status.isDelegate(branch, delegate), "scoped to the owner");
    }

    function test_setDelegate_emitsStatusDelegateChangedIfControllerWithdraws() public {
        _authorise(delegate);
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusDelegateChanged(issuer, delegate, false, issuerCtl);
        vm.prank(issuerCtl);
        status.setDelegate(issuer, delegate, false);
        assertFalse(status.isDelegate(issuer, delegate));
    }

    function test_setDelegate_revertsIfCallerIsDelegate() public {
        _authorise(delegate);
        vm.prank(delegate);
        vm.expectRevert(
            abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotController.selector, issuer, delegate)
        );
        status.setDelegate(issuer, vm.addr(41), true);
    }

    function test_setDelegate_revertsIfCallerIsStranger() public {
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotController.selector, issuer, stranger)
        );
        status.setDelegate(issuer, stranger, true);
    }

    function test_setDelegate_revertsIfCallerIsParentController() public {
        vm.prank(rootCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__NotController.selector, issuer, rootCtl));
        status.setDelegate(issuer, rootCtl, true);
    }

    function test_setDelegate_revertsIfDelegateZero() public {
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__ZeroDelegate.selector));
        status.setDelegate(issuer, address(0), true);
    }

    function test_setDelegate_emitsNothingIfUnchanged() public {
        _authorise(delegate);
        vm.recordLogs();
        _authorise(delegate);
        vm.prank(issuerCtl);
        status.setDelegate(issuer, vm.addr(41), false);
        assertEq(_logCount(), 0, "no event on a no-op");
    }

    function test_isDelegate_returnsFalseIfControllerChanged() public {
        _authorise(delegate);
        assertTrue(status.isDelegate(issuer, delegate));
        _handOver(issuer, issuerCtl, vm.addr(40));
        assertFalse(status.isDelegate(issuer, delegate));
    }

    function test_setDelegate_emitsNothingIfWithdrawingDelegateOfPreviousController() public {
        address next = vm.addr(40);
        _authorise(delegate);
        _handOver(issuer, issuerCtl, next);
        vm.recordLogs();
        vm.prank(next);
        status.setDelegate(issuer, delegate, false);
        assertEq(_logCount(), 0, "the delegation already ended with the controller change");
    }

    function test_setDelegate_emitsStatusDelegateChangedIfRenamedAfterSwitchBack() public {
        address next = vm.addr(40);
        _authorise(delegate);
        _handOver(issuer, issuerCtl, next);
        _handOver(issuer, next, issuerCtl);
        vm.expectEmit(true, true, true, true, address(status));
        emit IStatusRegistry.StatusDelegateChanged(issuer, delegate, true, issuerCtl);
        _authorise(delegate);
        _set(list, _one(1), true, delegate);
        assertTrue(status.isSet(list, 1));
    }

    function test_setDelegate_revertsIfOwnerSuspended() public {
        _setStatus(issuer, ITrustRegistry.EntityStatus.Suspended, rootCtl);
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(IStatusRegistry.StatusRegistry__OwnerNotActive.selector, issuer, issuer));
        status.setDelegate(issuer, delegate, true);
    }

    function test_trustRegistry_returnsRegistryIfDeployed() public view {
        assertEq(status.trustRegistry(), address(reg));
    }

    // ================================================================== fuzz

    /// @dev Random index sets (any order, duplicates) over a small list, applied after a random
    /// pre-image, equal a reference bitmap; replaying the event reproduces the stored words.
    /// A suspension list, so that both values are applied (a revocation list refuses clearing, see below).
    function testFuzz_setStatuses_matchesReferenceBitmap(uint256[] memory raw, bool value, uint256 preSeed) public {
        uint32 size = 2048; // 8 words, so indices share words often
        vm.prank(issuerCtl);
        uint256 id = status.createList(issuer, SUSPENSION, size, URI);

        uint256[8] memory ref;
        // random starting state: ~half the bits of a few words set
        uint256[] memory pre = new uint256[](64);
        for (uint256 i = 0; i < pre.length; ++i) {
            pre[i] = uint256(keccak256(abi.encode(preSeed, i))) % size;
            ref[pre[i] >> 8] |= 1 << (255 - (pre[i] & 0xff));
        }
        _set(id, pre, true, issuerCtl);

        if (raw.length > 300) {
            assembly ("memory-safe") { mstore(raw, 300) }
        }
        for (uint256 i = 0; i < raw.length; ++i) {
            raw[i] = raw[i] % size;
            uint256 mask = 1 << (255 - (raw[i] & 0xff));
            ref[raw[i] >> 8] = value ? ref[raw[i] >> 8] | mask : ref[raw[i] >> 8] & ~mask;
        }

        uint256[8] memory before;
        for (uint256 w = 0; w < 8; ++w) {
            before[w] = status.word(id, w);
        }

        vm.recordLogs();
        _set(id, raw, value, issuerCtl);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        bool anyChange;
        for (uint256 w = 0; w < 8; ++w) {
            assertEq(status.word(id, w), ref[w], "stored word equals reference");
            if (before[w] != ref[w]) anyChange = true;
        }
        for (uint256 i = 0; i < raw.length; ++i) {
            assertEq(status.isSet(id, raw[i]), value);
        }

        assertEq(logs.length, anyChange ? 1 : 0, "one event iff something changed");
        if (anyChange) {
            (uint256[] memory wordIndices, uint256[] memory words,) =
                abi.decode(logs[0].data, (uint256[], uint256[], address));
            for (uint256 i = 0; i < wordIndices.length; ++i) {
                before[wordIndices[i]] = words[i];
            }
            for (uint256 w = 0; w < 8; ++w) {
                assertEq(before[w], ref[w], "replayed event equals reference");
            }
        }
    }

    /// @dev Sorted distinct indices over the default-size list: each changed word emitted once, equal to storage.
    function testFuzz_setStatuses_emitsStoredWordsIfSorted(uint256 seed, uint8 count) public {
        uint256 n = bound(count, 1, 64);
        uint256[] memory indices = new uint256[](n);
        uint256 cursor;
        for (uint256 i = 0; i < n; ++i) {
            cursor += 1 + uint256(keccak256(abi.encode(seed, i))) % 4000;
            indices[i] = cursor % DEFAULT_SIZE;
        }
        // keep ascending (wrap-around could break it): cut at the first non-increasing index
        uint256 kept = 1;
        while (kept < n && indices[kept] > indices[kept - 1]) ++kept;
        assembly ("memory-safe") { mstore(indices, kept) }

        vm.recordLogs();
        _set(list, indices, true, issuerCtl);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1);
        (uint256[] memory wordIndices, uint256[] memory words,) =
            abi.decode(logs[0].data, (uint256[], uint256[], address));
        for (uint256 i = 0; i < wordIndices.length; ++i) {
            if (i > 0) assertLt(wordIndices[i - 1], wordIndices[i], "each word once, ascending");
            assertEq(status.word(list, wordIndices[i]), words[i], "emitted word equals stored word");
        }
        for (uint256 i = 0; i < kept; ++i) {
            assertTrue(status.isSet(list, indices[i]));
            assertTrue(status.word(list, indices[i] / 256) & (1 << (255 - indices[i] % 256)) != 0);
        }
    }

    /// @dev Random sequences of set and clear batches (0 to 8 indices, by the controller or a delegate)
    /// on a list of either purpose, against a reference bitmap: a suspension list follows every step;
    /// a revocation list refuses every non-empty clearing batch, naming its first index, and its
    /// words only ever gain bits.
    function testFuzz_setStatuses_followsPurposeIfRandomSetClearSequence(uint256 seed, bool suspension) public {
        uint32 size = 1024; // 4 words
        vm.prank(issuerCtl);
        uint256 id = status.createList(issuer, suspension ? SUSPENSION : REVOCATION, size, URI);
        _authorise(delegate);
        uint256[4] memory ref;
        uint256[4] memory previous;
        for (uint256 step = 0; step < 24; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            bool value = r & 1 == 1;
            uint256[] memory indices = new uint256[]((r >> 1) % 9);
            for (uint256 i = 0; i < indices.length; ++i) {
                indices[i] = uint256(keccak256(abi.encode(seed, step, i))) % size;
            }
            if (!suspension && !value && indices.length != 0) {
                vm.expectRevert(
                    abi.encodeWithSelector(IStatusRegistry.StatusRegistry__RevocationIsFinal.selector, id, indices[0])
                );
            } else {
                for (uint256 i = 0; i < indices.length; ++i) {
                    uint256 mask = 1 << (255 - (indices[i] & 0xff));
                    uint256 w = indices[i] >> 8;
                    ref[w] = value ? ref[w] | mask : ref[w] & ~mask;
                }
            }
            _set(id, indices, value, (r >> 128) & 1 == 1 ? delegate : issuerCtl);
            for (uint256 w = 0; w < 4; ++w) {
                uint256 stored = status.word(id, w);
                assertEq(stored, ref[w], "stored word equals reference");
                if (!suspension) assertEq(stored & previous[w], previous[w], "revocation bits never clear");
                previous[w] = stored;
            }
        }
    }

    /// @dev Random (word, mask) batches over a small suspension list, words repeated at will, set then
    /// cleared: setStatusWords leaves the same words as setStatuses given every entry the masks name
    /// (on a twin list), and replaying its event in order gives the stored words.
    function testFuzz_setStatusWords_matchesSetStatuses(uint256 seed, uint8 pairs, bool clearAfter) public {
        vm.startPrank(issuerCtl);
        uint256 byWords = status.createList(issuer, SUSPENSION, 2048, URI); // 8 words
        uint256 byIndices = status.createList(issuer, SUSPENSION, 2048, URI);
        vm.stopPrank();
        for (uint256 round = 0; round < (clearAfter ? 2 : 1); ++round) {
            (uint256[] memory wordIndices, uint256[] memory masks) = _randomMasks(seed, round, bound(pairs, 0, 12));
            uint256[8] memory replay;
            for (uint256 w = 0; w < 8; ++w) {
                replay[w] = status.word(byWords, w);
            }
            vm.recordLogs();
            _words(byWords, wordIndices, masks, round == 0, issuerCtl);
            Vm.Log[] memory logs = vm.getRecordedLogs();
            _set(byIndices, _entries(wordIndices, masks), round == 0, issuerCtl);
            if (logs.length == 1) {
                (uint256[] memory changedIndices, uint256[] memory words,) =
                    abi.decode(logs[0].data, (uint256[], uint256[], address));
                for (uint256 i = 0; i < changedIndices.length; ++i) {
                    replay[changedIndices[i]] = words[i];
                }
            }
            for (uint256 w = 0; w < 8; ++w) {
                assertEq(status.word(byWords, w), status.word(byIndices, w), "same words as setStatuses");
                assertEq(replay[w], status.word(byWords, w), "replayed event equals stored word");
            }
        }
    }

    /// @dev `n` pairs over 8 words, repeats allowed; each mask a random word or a sparse one.
    function _randomMasks(uint256 seed, uint256 round, uint256 n)
        internal
        pure
        returns (uint256[] memory wordIndices, uint256[] memory masks)
    {
        wordIndices = new uint256[](n);
        masks = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, round, i)));
            wordIndices[i] = r % 8;
            masks[i] = uint256(keccak256(abi.encode(r)));
            if ((r >> 8) % 2 == 0) {
                masks[i] &= uint256(keccak256(abi.encode(r, 1))) & uint256(keccak256(abi.encode(r, 2)));
            }
        }
    }

    /// @dev Every list entry the (word, mask) pairs name, in order.
    function _entries(uint256[] memory wordIndices, uint256[] memory masks)
        internal
        pure
        returns (uint256[] memory indices)
    {
        uint256 bits;
        for (uint256 i = 0; i < masks.length; ++i) {
            bits += _popcount(masks[i]);
        }
        indices = new uint256[](bits);
        uint256 k;
        for (uint256 i = 0; i < masks.length; ++i) {
            for (uint256 b = 0; b < 256; ++b) {
                if (masks[i] & (1 << (255 - b)) != 0) indices[k++] = wordIndices[i] * 256 + b;
            }
        }
    }

    function _popcount(uint256 x) internal pure returns (uint256 count) {
        for (; x != 0; x &= x - 1) {
            ++count;
        }
    }
}
