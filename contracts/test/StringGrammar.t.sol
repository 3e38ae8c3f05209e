// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixtures} from "./utils/Fixtures.sol";
import {GrammarReference} from "./utils/GrammarReference.sol";
import {TrustRegistry} from "../src/TrustRegistry.sol";
import {IStatusRegistry} from "../src/interfaces/IStatusRegistry.sol";
import {ITrustRegistry} from "../src/interfaces/ITrustRegistry.sol";

/// @title StringGrammarTest
/// @notice Every string a participant writes on chain that has a grammar (issue 13, items 2 and 11):
/// good and hostile examples through each writing function, and fuzz tests holding each function
/// against GrammarReference: arbitrary bytes are either refused with the function's custom error,
/// carrying the value and the offset of the fault, or valid by the grammar and stored as given.
contract StringGrammarTest is Fixtures, GrammarReference {
    uint256 internal constant VALID = type(uint256).max;
    string internal constant TARGET = "did:web:sp.example";
    bytes internal constant PUBLIC_KEY = hex"ed01d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    string internal constant BIDI = unicode"\u202e"; // RIGHT-TO-LEFT OVERRIDE, UTF-8 e2 80 ae
    bytes internal constant NOT_UTF8 = hex"fffe";

    // ================================================================== helpers

    /// @dev Call `target` as `by`: whether it succeeded, and the revert data if not.
    function _call(address by, address target, bytes memory data) internal returns (bool ok, bytes memory ret) {
        vm.prank(by);
        (ok, ret) = target.call(data);
    }

    /// @dev The selector, value and fault offset of a `Error(string value, uint256 at)` revert.
    function _decodeFault(bytes memory ret) internal pure returns (bytes4 selector, bytes memory value, uint256 at) {
        require(ret.length >= 4, "no revert data");
        selector = bytes4(ret);
        bytes memory args = new bytes(ret.length - 4);
        for (uint256 i = 4; i < ret.length; ++i) {
            args[i - 4] = ret[i];
        }
        string memory text;
        (text, at) = abi.decode(args, (string, uint256));
        value = bytes(text);
    }

    /// @dev A refused call carried `selector`, `value` and a fault offset consistent with the value:
    /// the bound when it is longer, else at most its length; exactly `expectedAt` unless that is VALID.
    function _assertFault(bytes memory ret, bytes4 selector, bytes memory value, uint256 bound, uint256 expectedAt)
        internal
        pure
    {
        (bytes4 gotSelector, bytes memory gotValue, uint256 at) = _decodeFault(ret);
        assertEq(bytes32(gotSelector), bytes32(selector), "custom error");
        assertEq(keccak256(gotValue), keccak256(value), "the error carries the value");
        if (value.length > bound) assertEq(at, bound, "too long: fault at the bound");
        else assertTrue(at <= value.length, "fault inside the value or at its end");
        if (expectedAt != VALID) assertEq(at, expectedAt, "fault offset");
    }

    function _revertData(bytes4 selector, string memory value, uint256 at) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, value, at);
    }

    function _expectInvalidDid(string memory did, uint256 at) internal {
        vm.prank(rootCtl);
        vm.expectRevert(_revertData(ITrustRegistry.TrustRegistry__InvalidDid.selector, did, at));
        reg.register(ROOT, "x", did, rootCtl, _expiry(did), _proof(ROOT, "x", did, rootCtl));
    }

    function _registerDid(string memory did) internal returns (bytes32 node) {
        node = _register(
            ROOT, string.concat("n", toString(uint256(keccak256(bytes(did))) % 1e9)), did, vm.addr(9), rootCtl
        );
        assertEq(reg.entity(node).did, did);
    }

    function _expectInvalidType(string memory credentialType, uint256 at) internal {
        vm.prank(rootCtl);
        vm.expectRevert(_revertData(ITrustRegistry.TrustRegistry__InvalidCredentialType.selector, credentialType, at));
        reg.accredit(issuer, credentialType, _noRoles(), 0, 0);
    }

    function _expectInvalidTarget(string memory target, uint256 at) internal {
        vm.prank(rootCtl);
        vm.expectRevert(_revertData(ITrustRegistry.TrustRegistry__InvalidRoleTarget.selector, target, at));
        reg.accredit(issuer, "CustomerCredential", _roles(target, "gold"), 0, 0);
    }

    function _expectInvalidRole(string memory role, uint256 at) internal {
        vm.prank(rootCtl);
        vm.expectRevert(_revertData(ITrustRegistry.TrustRegistry__InvalidRoleName.selector, role, at));
        reg.accredit(issuer, "CustomerCredential", _roles(TARGET, "gold", role), 0, 0);
    }

    function _addKey(string memory keyId, string memory keyType) internal {
        vm.prank(issuerCtl);
        reg.addKey(issuer, keyId, keyType, PUBLIC_KEY, 2, 0, 0);
    }

    function _expectInvalidKeyId(string memory keyId, uint256 at) internal {
        vm.expectRevert(_revertData(ITrustRegistry.TrustRegistry__InvalidKeyId.selector, keyId, at));
        _addKey(keyId, "Multikey");
    }

    function _expectInvalidKeyType(string memory keyType, uint256 at) internal {
        vm.expectRevert(_revertData(ITrustRegistry.TrustRegistry__InvalidKeyType.selector, keyType, at));
        _addKey("key-1", keyType);
    }

    function _addService(string memory id, string memory serviceType, string memory endpoint) internal {
        vm.prank(issuerCtl);
        reg.addService(issuer, id, serviceType, endpoint);
    }

    function _expectInvalidServiceId(string memory id, uint256 at) internal {
        vm.expectRevert(_revertData(ITrustRegistry.TrustRegistry__InvalidServiceId.selector, id, at));
        _addService(id, "OID4VCI", "https://x.example");
    }

    function _expectInvalidServiceType(string memory serviceType, uint256 at) internal {
        vm.expectRevert(_revertData(ITrustRegistry.TrustRegistry__InvalidServiceType.selector, serviceType, at));
        _addService("svc", serviceType, "https://x.example");
    }

    function _expectInvalidEndpoint(string memory endpoint, uint256 at) internal {
        vm.expectRevert(_revertData(ITrustRegistry.TrustRegistry__InvalidServiceEndpoint.selector, endpoint, at));
        _addService("svc", "OID4VCI", endpoint);
    }

    function _createList(string memory uri) internal returns (uint256 id) {
        vm.prank(issuerCtl);
        id = status.createList(issuer, IStatusRegistry.Purpose.Revocation, 256, uri);
    }

    function _expectInvalidUri(string memory uri, uint256 at) internal {
        vm.expectRevert(_revertData(IStatusRegistry.StatusRegistry__InvalidUri.selector, uri, at));
        _createList(uri);
    }

    // ================================================================== DID (register, constructor)

    function test_register_succeedsIfDidUsesDidCoreForms() public {
        _registerDid("did:web:example.com");
        _registerDid("did:web:localhost%3A8080:user:alice");
        _registerDid("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK");
        // did:pkh:eip155 is checked on chain: its account signs the registration
        string memory pkh = string.concat("did:pkh:eip155:1:", toHex(abi.encodePacked(vm.addr(77))));
        vm.prank(rootCtl);
        reg.register(ROOT, "pkh", pkh, vm.addr(9), 1_000, _signedProof(77, ROOT, "pkh", pkh, vm.addr(9), 1_000));
        assertEq(reg.entity(reg.childNode(ROOT, "pkh")).did, pkh);
        _registerDid("did:elsi:EU.EORI.NLMARKETPLACE");
        _registerDid("did:ebsi:zfEmvX5twhXjQJiCWsukvQA");
        _registerDid("did:example::123"); // an empty segment is allowed, a trailing colon is not
        _registerDid("did:a1:_-.x%2f%C3%A9");
    }

    function test_register_revertsIfDidLacksPrefix() public {
        _expectInvalidDid("web:x.example", 0);
        _expectInvalidDid("DID:web:x.example", 0);
        _expectInvalidDid("did;web:x", 3);
        _expectInvalidDid("", 0);
        _expectInvalidDid("did", 3);
    }

    function test_register_revertsIfDidHasNoMethodSpecificId() public {
        _expectInvalidDid("did:", 4);
        _expectInvalidDid("did:web", 7);
        _expectInvalidDid("did:web:", 8);
    }

    function test_register_revertsIfDidEndsWithColon() public {
        _expectInvalidDid("did:web:a:", 10);
        _expectInvalidDid("did:web:a::", 11);
    }

    function test_register_revertsIfDidMethodEmptyOrNotLowercase() public {
        _expectInvalidDid("did::abc", 4);
        _expectInvalidDid("did:Web:x", 4);
        _expectInvalidDid("did:my-method:x", 6);
        _expectInvalidDid("did:my_method:x", 6);
    }

    function test_register_revertsIfDidHasFragment() public {
        _expectInvalidDid("did:web:x.example#key-1", 17);
    }

    function test_register_revertsIfDidHasQuery() public {
        _expectInvalidDid("did:web:x.example?service=a", 17);
    }

    function test_register_revertsIfDidHasPath() public {
        _expectInvalidDid("did:web:x.example/path", 17);
    }

    function test_register_revertsIfDidHasSpace() public {
        _expectInvalidDid("did:web:a b", 9);
        _expectInvalidDid(" did:web:a", 0);
        _expectInvalidDid("did:web:a ", 9);
    }

    function test_register_revertsIfDidHasNul() public {
        _expectInvalidDid("did:web:a\x00", 9);
        _expectInvalidDid("did:web\x00:a", 7);
    }

    function test_register_revertsIfDidHasControlCharacter() public {
        _expectInvalidDid("did:web:a\nb", 9);
        _expectInvalidDid("did:web:a\tb", 9);
        _expectInvalidDid("did:web:a\x7f", 9);
    }

    function test_register_revertsIfDidHasHtml() public {
        _expectInvalidDid("did:web:<script>alert(1)</script>", 8);
        _expectInvalidDid("did:web:x\"onmouseover=\"y", 9);
    }

    function test_register_revertsIfDidHasBidiControl() public {
        _expectInvalidDid(string.concat("did:web:evil", BIDI, "moc.example"), 12);
    }

    function test_register_revertsIfDidIsNotUtf8() public {
        _expectInvalidDid(string(bytes.concat("did:web:x", NOT_UTF8)), 9);
        _expectInvalidDid(string(bytes.concat("did:", NOT_UTF8, ":x")), 4);
    }

    function test_register_revertsIfDidHasNonAsciiLetter() public {
        _expectInvalidDid(unicode"did:web:café.example", 11);
    }

    function test_register_revertsIfDidHasBadPercentEncoding() public {
        _expectInvalidDid("did:web:a%zz", 10);
        _expectInvalidDid("did:web:a%4z", 11);
        _expectInvalidDid("did:web:a%4", 11);
        _expectInvalidDid("did:web:a%", 10);
    }

    function test_register_revertsIfDidLongerThan256Bytes() public {
        _expectInvalidDid(string.concat("did:web:", _repeat("x", 249)), 256);
    }

    function test_register_succeedsIfDidIs256Bytes() public {
        string memory did = string.concat("did:web:", _repeat("x", 248));
        assertEq(bytes(did).length, 256);
        bytes32 node = _registerDid(did);
        (bool found, bytes32 mapped) = reg.nodeOfDid(did);
        assertTrue(found);
        assertEq(mapped, node);
    }

    function test_constructor_revertsIfRootDidInvalid() public {
        vm.expectRevert(_revertData(ITrustRegistry.TrustRegistry__InvalidDid.selector, "web:anchor", 0));
        new TrustRegistry("web:anchor");
        vm.expectRevert(_revertData(ITrustRegistry.TrustRegistry__InvalidDid.selector, "did:web:<b>", 8));
        new TrustRegistry("did:web:<b>");
        vm.expectRevert(_revertData(ITrustRegistry.TrustRegistry__InvalidDid.selector, "did:web:a#b", 9));
        new TrustRegistry("did:web:a#b");
    }

    // ================================================================== credential type, roles (accredit)

    function test_accredit_succeedsIfCredentialTypeIsTypeNameTemplateCodeOrUri() public {
        string[6] memory types = [
            "EmployeeCredential",
            "00000000_vc_employee_credential",
            "https://issuer.example/vct/employee",
            "urn:eudi:pid:de:1",
            "https://x.example/vct?v=1&lang=en#f%20~+-",
            _repeat("T", 128)
        ];
        for (uint256 i = 0; i < types.length; ++i) {
            _accredit(issuer, types[i], _noRoles(), 0, 0, rootCtl);
            assertTrue(reg.accreditationOf(issuer, types[i]).exists, types[i]);
        }
    }

    function test_accredit_revertsIfCredentialTypeEmpty() public {
        _expectInvalidType("", 0);
    }

    function test_accredit_revertsIfCredentialTypeLongerThan128Bytes() public {
        _expectInvalidType(_repeat("T", 129), 128);
    }

    function test_accredit_revertsIfCredentialTypeHasSpace() public {
        _expectInvalidType("Employee Credential", 8);
    }

    function test_accredit_revertsIfCredentialTypeHasQuoteOrAngleBracket() public {
        _expectInvalidType("Employee\"Credential", 8);
        _expectInvalidType("Employee'Credential", 8);
        _expectInvalidType("<script>", 0);
        _expectInvalidType("a\\b", 1);
    }

    function test_accredit_revertsIfCredentialTypeHasControlOrNul() public {
        _expectInvalidType("Employee\x00", 8);
        _expectInvalidType("Employee\n", 8);
    }

    function test_accredit_revertsIfCredentialTypeIsNotAscii() public {
        _expectInvalidType(string.concat("Employee", BIDI), 8);
        _expectInvalidType(string(bytes.concat("Employee", NOT_UTF8)), 8);
    }

    function test_accredit_succeedsIfRoleNamesUseDataSpaceForms() public {
        ITrustRegistry.RoleGrant[] memory roles = _roles(TARGET, "P.Info.gold", "GOLD_CUSTOMER");
        _accredit(issuer, "CustomerCredential", roles, 0, 0, rootCtl);
        assertTrue(reg.mayGrantRole(issuer, "CustomerCredential", TARGET, "P.Info.gold"));
        assertTrue(reg.mayGrantRole(issuer, "CustomerCredential", TARGET, "GOLD_CUSTOMER"));
        _accredit(issuer, "Other", _roles(TARGET, "urn:role:x-1", _repeat("r", 64)), 0, 0, rootCtl);
        assertTrue(reg.mayGrantRole(issuer, "Other", TARGET, "urn:role:x-1"));
    }

    function test_accredit_revertsIfRoleNameEmpty() public {
        _expectInvalidRole("", 0);
    }

    function test_accredit_revertsIfRoleNameLongerThan64Bytes() public {
        _expectInvalidRole(_repeat("r", 65), 64);
    }

    function test_accredit_revertsIfRoleNameHasSpaceSlashOrHash() public {
        _expectInvalidRole("P.Info gold", 6);
        _expectInvalidRole("P/Info", 1);
        _expectInvalidRole("P#Info", 1);
        _expectInvalidRole("P?Info", 1);
    }

    function test_accredit_revertsIfRoleNameHasNulHtmlOrNonAscii() public {
        _expectInvalidRole("gold\x00", 4);
        _expectInvalidRole("<script>", 0);
        _expectInvalidRole(string.concat("gold", BIDI), 4);
        _expectInvalidRole(string(NOT_UTF8), 0);
    }

    function test_accredit_revertsIfRoleTargetNotDid() public {
        _expectInvalidTarget("sp.example", 0);
        _expectInvalidTarget("", 0);
        _expectInvalidTarget("did:web:sp.example#frag", 18);
        _expectInvalidTarget("did:web:sp.example/x?y", 18);
        _expectInvalidTarget("did:web:sp example", 10);
    }

    function test_accredit_revertsIfRoleTargetHasBidiNulOrInvalidUtf8() public {
        _expectInvalidTarget(string.concat("did:web:sp", BIDI), 10);
        _expectInvalidTarget("did:web:sp\x00", 10);
        _expectInvalidTarget(string(bytes.concat("did:web:sp", NOT_UTF8)), 10);
    }

    function test_accredit_revertsIfSecondGrantHasInvalidTarget() public {
        ITrustRegistry.RoleGrant[] memory roles = new ITrustRegistry.RoleGrant[](2);
        roles[0].target = TARGET;
        roles[0].names = new string[](1);
        roles[0].names[0] = "gold";
        roles[1].target = "did:web:<b>";
        roles[1].names = new string[](0);
        vm.prank(rootCtl);
        vm.expectRevert(_revertData(ITrustRegistry.TrustRegistry__InvalidRoleTarget.selector, "did:web:<b>", 8));
        reg.accredit(issuer, "CustomerCredential", roles, 0, 0);
    }

    // ================================================================== key id and type (addKey)

    function test_addKey_succeedsIfKeyIdAndTypeAreWellFormed() public {
        _addKey("key-1", "JsonWebKey2020");
        _addKey("z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "Multikey");
        _addKey("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", "EcdsaSecp256k1VerificationKey2019");
        _addKey(_repeat("k", 64), _repeat("T", 64));
        assertTrue(reg.keyOf(issuer, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs").exists);
    }

    function test_addKey_revertsIfKeyIdEmpty() public {
        _expectInvalidKeyId("", 0);
    }

    function test_addKey_revertsIfKeyIdLongerThan64Bytes() public {
        _expectInvalidKeyId(_repeat("k", 65), 64);
    }

    function test_addKey_revertsIfKeyIdHasHashQuestionOrSlash() public {
        _expectInvalidKeyId("#key-1", 0);
        _expectInvalidKeyId("key?1", 3);
        _expectInvalidKeyId("key/1", 3);
        _expectInvalidKeyId("key:1", 3);
    }

    function test_addKey_revertsIfKeyIdHasSpaceNulOrHtml() public {
        _expectInvalidKeyId("key 1", 3);
        _expectInvalidKeyId("key\x00", 3);
        _expectInvalidKeyId("<script>", 0);
    }

    function test_addKey_revertsIfKeyIdIsNotAscii() public {
        _expectInvalidKeyId(string(bytes.concat("key-", NOT_UTF8)), 4);
        _expectInvalidKeyId(string.concat("key-", BIDI, "1"), 4);
    }

    function test_addKey_revertsIfKeyTypeEmpty() public {
        _expectInvalidKeyType("", 0);
    }

    function test_addKey_revertsIfKeyTypeLongerThan64Bytes() public {
        _expectInvalidKeyType(_repeat("T", 65), 64);
    }

    function test_addKey_revertsIfKeyTypeHasPunctuationOrSpace() public {
        _expectInvalidKeyType("Json-Web-Key", 4);
        _expectInvalidKeyType("JsonWebKey2020 ", 14);
        _expectInvalidKeyType("Multi#key", 5);
        _expectInvalidKeyType("Multi<key>", 5);
    }

    function test_addKey_revertsIfKeyTypeHasNulOrIsNotAscii() public {
        _expectInvalidKeyType("Multikey\x00", 8);
        _expectInvalidKeyType(string(NOT_UTF8), 0);
        _expectInvalidKeyType(string.concat("Multi", BIDI, "key"), 5);
    }

    function test_addKey_revertsIfPublicKeyEmpty() public {
        vm.prank(issuerCtl);
        vm.expectRevert(abi.encodeWithSelector(ITrustRegistry.TrustRegistry__EmptyPublicKey.selector, "key-1"));
        reg.addKey(issuer, "key-1", "JsonWebKey2020", "", 2, 0, 0);
    }

    // ================================================================== service id, type, endpoint (addService)

    function test_addService_succeedsIfServiceUsesDidCoreForms() public {
        _addService("issuer", "OID4VCI", "https://issuer.example/oid4vci?tenant=a1&x=%2F");
        _addService("linked-domains", "LinkedDomains", "https://example.com/");
        _addService("didcomm_1.0", "DIDCommMessaging", "https://example.com:8443/p;a=1/x?q=(1)*,!$#frag@~");
        _addService(
            "ipfs",
            "https://w3id.org/example/Type",
            "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"
        );
        _addService("v6", "urn:service:x", "http://[2001:db8::1]:8080/a");
        _addService(_repeat("s", 64), _repeat("T", 64), string.concat("https://x.example/", _repeat("p", 494)));
        assertTrue(reg.hasService(issuer, "didcomm_1.0"));
        assertTrue(reg.hasService(issuer, _repeat("s", 64)));
    }

    function test_addService_revertsIfServiceIdEmpty() public {
        _expectInvalidServiceId("", 0);
    }

    function test_addService_revertsIfServiceIdLongerThan64Bytes() public {
        _expectInvalidServiceId(_repeat("s", 65), 64);
    }

    function test_addService_revertsIfServiceIdHasHashQuestionSlashOrSpace() public {
        _expectInvalidServiceId("#issuer", 0);
        _expectInvalidServiceId("issuer?x", 6);
        _expectInvalidServiceId("issuer/x", 6);
        _expectInvalidServiceId("iss uer", 3);
    }

    function test_addService_revertsIfServiceIdIsNotUtf8() public {
        // the bytes of the reported exploit: svc-\xff\xfe froze the follower
        _expectInvalidServiceId(string(bytes.concat("svc-", NOT_UTF8)), 4);
    }

    function test_addService_revertsIfServiceIdHasNulHtmlOrBidi() public {
        _expectInvalidServiceId("svc\x00", 3);
        _expectInvalidServiceId("<script>", 0);
        _expectInvalidServiceId(string.concat("svc", BIDI), 3);
    }

    function test_addService_revertsIfServiceTypeEmpty() public {
        _expectInvalidServiceType("", 0);
    }

    function test_addService_revertsIfServiceTypeLongerThan64Bytes() public {
        _expectInvalidServiceType(_repeat("T", 65), 64);
    }

    function test_addService_revertsIfServiceTypeHasSpaceQueryOrHash() public {
        _expectInvalidServiceType("Linked Domains", 6);
        _expectInvalidServiceType("OID4VCI?x", 7);
        _expectInvalidServiceType("OID4VCI#x", 7);
    }

    function test_addService_revertsIfServiceTypeHasNulHtmlOrIsNotAscii() public {
        _expectInvalidServiceType("OID4VCI\x00", 7);
        _expectInvalidServiceType("<b>", 0);
        _expectInvalidServiceType(string(bytes.concat("OID4VCI", NOT_UTF8)), 7);
        _expectInvalidServiceType(string.concat(BIDI, "OID4VCI"), 0);
    }

    function test_addService_revertsIfEndpointEmpty() public {
        _expectInvalidEndpoint("", 0);
    }

    function test_addService_revertsIfEndpointLongerThan512Bytes() public {
        _expectInvalidEndpoint(string.concat("https://x.example/", _repeat("p", 495)), 512);
    }

    function test_addService_revertsIfEndpointHasNoScheme() public {
        _expectInvalidEndpoint("//example.com/x", 0);
        _expectInvalidEndpoint("example.com/x", 11);
        _expectInvalidEndpoint("example.com", 11);
        _expectInvalidEndpoint(":x", 0);
        _expectInvalidEndpoint("1http://x", 0);
    }

    function test_addService_revertsIfEndpointHasSpace() public {
        _expectInvalidEndpoint("https://x.example/a b", 19);
    }

    function test_addService_revertsIfEndpointHasQuoteAngleBracketOrBackslash() public {
        _expectInvalidEndpoint("https://x.example/\"", 18);
        _expectInvalidEndpoint("https://x.example/'", 18);
        _expectInvalidEndpoint("https://x.example/<script>", 18);
        _expectInvalidEndpoint("https://x.example\\evil", 17);
        _expectInvalidEndpoint("https://x.example/{a}", 18);
        _expectInvalidEndpoint("https://x.example/a|b", 19);
        _expectInvalidEndpoint("https://x.example/a^b", 19);
        _expectInvalidEndpoint("https://x.example/a`b", 19);
    }

    function test_addService_revertsIfEndpointHasControlOrNul() public {
        _expectInvalidEndpoint("https://x.example/\x00", 18);
        _expectInvalidEndpoint("https://x.example/\r\nSet-Cookie:a", 18);
        _expectInvalidEndpoint("https://x.example/\x7f", 18);
    }

    function test_addService_revertsIfEndpointIsNotAscii() public {
        _expectInvalidEndpoint(string(bytes.concat("https://x.example/", NOT_UTF8)), 18);
        _expectInvalidEndpoint(string.concat("https://x.example/", BIDI), 18);
        _expectInvalidEndpoint(unicode"https://café.example/", 11);
    }

    function test_addService_revertsIfEndpointHasBadPercentEncoding() public {
        _expectInvalidEndpoint("https://x.example/%zz", 19);
        _expectInvalidEndpoint("https://x.example/%", 19);
        _expectInvalidEndpoint("https://x.example/%4", 20);
    }

    // ================================================================== list URI (createList)

    function test_createList_succeedsIfUriIsUrl() public {
        uint256 id = _createList("https://issuer.example/status/EmployeeCredential/r0?v=1");
        assertEq(status.statusList(id).uri, "https://issuer.example/status/EmployeeCredential/r0?v=1");
        id = _createList("https://issuer.example/status/did%3Aweb%3Aissuer.example/urn%3Atype/s1");
        assertEq(status.statusList(id).uri, "https://issuer.example/status/did%3Aweb%3Aissuer.example/urn%3Atype/s1");
        _createList(string.concat("https://x.example/", _repeat("p", 494)));
    }

    function test_createList_revertsIfUriEmpty() public {
        _expectInvalidUri("", 0);
    }

    function test_createList_revertsIfUriLongerThan512Bytes() public {
        _expectInvalidUri(string.concat("https://x.example/", _repeat("p", 495)), 512);
    }

    function test_createList_revertsIfUriHasNoScheme() public {
        _expectInvalidUri("/status/1", 0);
        _expectInvalidUri("status", 6);
    }

    function test_createList_revertsIfUriHasSpaceQuoteOrAngleBracket() public {
        _expectInvalidUri("https://x.example/a b", 19);
        _expectInvalidUri("https://x.example/\"a\"", 18);
        _expectInvalidUri("https://x.example/<a>", 18);
        _expectInvalidUri("https://x.example\\a", 17);
    }

    function test_createList_revertsIfUriHasNulOrIsNotAscii() public {
        _expectInvalidUri("https://x.example/\x00", 18);
        _expectInvalidUri(string(bytes.concat("https://x.example/", NOT_UTF8)), 18);
        _expectInvalidUri(string.concat("https://x.example/", BIDI), 18);
    }

    function test_createList_revertsIfUriHasBadPercentEncoding() public {
        _expectInvalidUri("https://x.example/%g0", 19);
    }

    // ================================================================== fuzz: arbitrary bytes

    /// @dev Raw fuzz bytes as they come (mode even) or mapped near `valid` (mode odd).
    function _pick(bytes memory raw, uint8 mode, bytes memory valid, bytes memory invalid)
        internal
        pure
        returns (bytes memory)
    {
        return mode % 2 == 0 ? raw : _near(raw, valid, invalid);
    }

    function _didNear(bytes memory raw, uint8 mode) internal pure returns (bytes memory) {
        if (mode % 4 == 0) return raw;
        uint256 split = raw.length == 0 ? 0 : uint8(raw[0]) % (raw.length < 8 ? raw.length : 8);
        bytes memory method = new bytes(split);
        bytes memory rest = new bytes(raw.length - split);
        for (uint256 i = 0; i < raw.length; ++i) {
            if (i < split) method[i] = raw[i];
            else rest[i - split] = raw[i];
        }
        bytes memory methodChars = bytes.concat(LOWERS, DIGITS);
        bytes memory idChars = bytes.concat(_idChars(), "::%%4Af");
        bytes memory prefix = mode % 4 == 3 ? bytes("did:") : bytes("did:web:");
        return bytes.concat(
            prefix,
            _near(method, methodChars, bytes.concat(_hostileChars(), "A-:")),
            _near(rest, idChars, bytes.concat(_hostileChars(), "#?/"))
        );
    }

    function _uriNear(bytes memory raw, uint8 mode) internal pure returns (bytes memory) {
        if (mode % 4 == 0) return raw;
        bytes memory prefix = mode % 4 == 1 ? bytes("https://") : (mode % 4 == 2 ? bytes("urn:") : bytes(""));
        return bytes.concat(prefix, _near(raw, bytes.concat(_uriChars(), "%%%4Af"), bytes.concat(_hostileChars(), "'")));
    }

    /// @dev DIDs of the fixture tree are taken; a valid one of those must not count as a refusal.
    function _assumeFreshDid(bytes memory did) internal pure {
        bytes32 h = keccak256(did);
        vm.assume(h != keccak256(bytes(ROOT_DID)) && h != keccak256(bytes(ISSUER_DID)));
        vm.assume(h != keccak256(bytes(BRANCH_DID)) && h != keccak256(bytes(OTHER_DID)));
    }

    function testFuzz_constructor_acceptsRootDidIffValid(bytes memory raw, uint8 mode) public {
        bytes memory did = _didNear(raw, mode);
        try new TrustRegistry(string(did)) returns (TrustRegistry fresh) {
            assertTrue(_refIsDid(did), "accepted only if valid by the reference");
            assertEq(fresh.entity(ROOT).did, string(did));
        } catch (bytes memory ret) {
            assertFalse(_refIsDid(did), "refused only if invalid by the reference");
            _assertFault(ret, ITrustRegistry.TrustRegistry__InvalidDid.selector, did, 256, VALID);
        }
    }

    function testFuzz_register_acceptsDidIffValid(bytes memory raw, uint8 mode) public {
        bytes memory did = _didNear(raw, mode);
        _assumeFreshDid(did);
        vm.assume(_kind(string(did)) != ITrustRegistry.DidProofKind.Secp256k1); // those need a real signature
        bytes memory proof = _proof(ROOT, "fuzz", string(did), rootCtl);
        (bool ok, bytes memory ret) = _call(
            rootCtl,
            address(reg),
            abi.encodeCall(reg.register, (ROOT, "fuzz", string(did), rootCtl, _expiry(string(did)), proof))
        );
        assertEq(ok, _refIsDid(did), "accepted iff valid by the reference");
        if (ok) {
            assertEq(reg.entity(reg.childNode(ROOT, "fuzz")).did, string(did));
        } else {
            _assertFault(ret, ITrustRegistry.TrustRegistry__InvalidDid.selector, did, 256, VALID);
        }
    }

    function testFuzz_accredit_acceptsCredentialTypeIffValid(bytes memory raw, uint8 mode) public {
        bytes memory value = _pick(raw, mode, _credentialTypeChars(), bytes.concat(_hostileChars(), "@"));
        uint256 expected = _refCharsFault(value, _credentialTypeChars(), 128);
        (bool ok, bytes memory ret) =
            _call(rootCtl, address(reg), abi.encodeCall(reg.accredit, (issuer, string(value), _noRoles(), 0, 0)));
        assertEq(ok, expected == VALID, "accepted iff valid by the reference");
        if (ok) assertTrue(reg.accreditationOf(issuer, string(value)).exists);
        else _assertFault(ret, ITrustRegistry.TrustRegistry__InvalidCredentialType.selector, value, 128, expected);
    }

    function testFuzz_accredit_acceptsRoleTargetIffValid(bytes memory raw, uint8 mode) public {
        bytes memory target = _didNear(raw, mode);
        (bool ok, bytes memory ret) = _call(
            rootCtl, address(reg), abi.encodeCall(reg.accredit, (issuer, "T", _roles(string(target), "gold"), 0, 0))
        );
        assertEq(ok, _refIsDid(target), "accepted iff valid by the reference");
        if (ok) assertTrue(reg.mayGrantRole(issuer, "T", string(target), "gold"));
        else _assertFault(ret, ITrustRegistry.TrustRegistry__InvalidRoleTarget.selector, target, 256, VALID);
    }

    function testFuzz_accredit_acceptsRoleNameIffValid(bytes memory raw, uint8 mode) public {
        bytes memory role = _pick(raw, mode, _roleChars(), bytes.concat(_hostileChars(), "#/?%"));
        uint256 expected = _refCharsFault(role, _roleChars(), 64);
        (bool ok, bytes memory ret) = _call(
            rootCtl, address(reg), abi.encodeCall(reg.accredit, (issuer, "T", _roles(TARGET, string(role)), 0, 0))
        );
        assertEq(ok, expected == VALID, "accepted iff valid by the reference");
        if (ok) assertTrue(reg.mayGrantRole(issuer, "T", TARGET, string(role)));
        else _assertFault(ret, ITrustRegistry.TrustRegistry__InvalidRoleName.selector, role, 64, expected);
    }

    function testFuzz_addKey_acceptsKeyIdIffValid(bytes memory raw, uint8 mode) public {
        bytes memory keyId = _pick(raw, mode, _idChars(), bytes.concat(_hostileChars(), "#/?:%"));
        uint256 expected = _refCharsFault(keyId, _idChars(), 64);
        (bool ok, bytes memory ret) = _call(
            issuerCtl,
            address(reg),
            abi.encodeCall(reg.addKey, (issuer, string(keyId), "Multikey", PUBLIC_KEY, 2, 0, 0))
        );
        assertEq(ok, expected == VALID, "accepted iff valid by the reference");
        if (ok) assertTrue(reg.keyOf(issuer, string(keyId)).exists);
        else _assertFault(ret, ITrustRegistry.TrustRegistry__InvalidKeyId.selector, keyId, 64, expected);
    }

    function testFuzz_addKey_acceptsKeyTypeIffValid(bytes memory raw, uint8 mode) public {
        bytes memory keyType = _pick(raw, mode, _alnum(), bytes.concat(_hostileChars(), "-_.:"));
        uint256 expected = _refCharsFault(keyType, _alnum(), 64);
        (bool ok, bytes memory ret) = _call(
            issuerCtl, address(reg), abi.encodeCall(reg.addKey, (issuer, "key-1", string(keyType), PUBLIC_KEY, 2, 0, 0))
        );
        assertEq(ok, expected == VALID, "accepted iff valid by the reference");
        if (ok) assertEq(reg.keyOf(issuer, "key-1").materialHash, keccak256(abi.encode(string(keyType), PUBLIC_KEY)));
        else _assertFault(ret, ITrustRegistry.TrustRegistry__InvalidKeyType.selector, keyType, 64, expected);
    }

    function testFuzz_addService_acceptsServiceIdIffValid(bytes memory raw, uint8 mode) public {
        bytes memory id = _pick(raw, mode, _idChars(), bytes.concat(_hostileChars(), "#/?:%"));
        uint256 expected = _refCharsFault(id, _idChars(), 64);
        (bool ok, bytes memory ret) = _call(
            issuerCtl, address(reg), abi.encodeCall(reg.addService, (issuer, string(id), "T", "https://x.example"))
        );
        assertEq(ok, expected == VALID, "accepted iff valid by the reference");
        if (ok) assertTrue(reg.hasService(issuer, string(id)));
        else _assertFault(ret, ITrustRegistry.TrustRegistry__InvalidServiceId.selector, id, 64, expected);
    }

    function testFuzz_addService_acceptsServiceTypeIffValid(bytes memory raw, uint8 mode) public {
        bytes memory serviceType = _pick(raw, mode, _serviceTypeChars(), bytes.concat(_hostileChars(), "#?%"));
        uint256 expected = _refCharsFault(serviceType, _serviceTypeChars(), 64);
        (bool ok, bytes memory ret) = _call(
            issuerCtl,
            address(reg),
            abi.encodeCall(reg.addService, (issuer, "svc", string(serviceType), "https://x.example"))
        );
        assertEq(ok, expected == VALID, "accepted iff valid by the reference");
        if (ok) assertTrue(reg.hasService(issuer, "svc"));
        else _assertFault(ret, ITrustRegistry.TrustRegistry__InvalidServiceType.selector, serviceType, 64, expected);
    }

    function testFuzz_addService_acceptsEndpointIffValid(bytes memory raw, uint8 mode) public {
        bytes memory endpoint = _uriNear(raw, mode);
        vm.recordLogs();
        (bool ok, bytes memory ret) =
            _call(issuerCtl, address(reg), abi.encodeCall(reg.addService, (issuer, "svc", "T", string(endpoint))));
        assertEq(ok, _refIsUri(endpoint), "accepted iff valid by the reference");
        if (ok) {
            (,, string memory emitted,) = abi.decode(vm.getRecordedLogs()[0].data, (string, string, string, address));
            assertEq(emitted, string(endpoint), "the event carries the endpoint as given");
        } else {
            _assertFault(ret, ITrustRegistry.TrustRegistry__InvalidServiceEndpoint.selector, endpoint, 512, VALID);
        }
    }

    function testFuzz_createList_acceptsUriIffValid(bytes memory raw, uint8 mode) public {
        bytes memory uri = _uriNear(raw, mode);
        (bool ok, bytes memory ret) = _call(
            issuerCtl,
            address(status),
            abi.encodeCall(status.createList, (issuer, IStatusRegistry.Purpose.Revocation, 256, string(uri)))
        );
        assertEq(ok, _refIsUri(uri), "accepted iff valid by the reference");
        if (ok) assertEq(status.statusList(status.listCount()).uri, string(uri));
        else _assertFault(ret, IStatusRegistry.StatusRegistry__InvalidUri.selector, uri, 512, VALID);
    }
}
