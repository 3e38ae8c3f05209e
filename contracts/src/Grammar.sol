// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Grammar: the one home of the syntax of every string a participant writes on chain
/// @notice Each check returns the offset of the first byte that breaks its grammar ("fault"),
/// the value's length when it ends too early (so 0 for an empty value), the length bound when
/// it is longer than that, and OK when the value is valid. The registries revert with their own
/// custom error carrying the value and that offset, so what these fields hold on chain is
/// printable ASCII the follower, the resolver and a terminal can show as is: no controls, no
/// spaces, no quotes, no `<` `>`, nothing beyond ASCII (so no invalid UTF-8, no bidi controls).
/// @dev A byte loop over a 128-bit set per character class (bit c set when byte c is allowed;
/// bytes >= 0x80 are never in a set): about 90 gas per byte and 500 per string.
library Grammar {
    /// @notice What a check returns for a valid value.
    uint256 internal constant OK = type(uint256).max;

    uint256 internal constant MAX_DID_LENGTH = 256;
    uint256 internal constant MAX_LABEL_LENGTH = 63;
    uint256 internal constant MAX_FRAGMENT_LENGTH = 64;
    uint256 internal constant MAX_KEY_TYPE_LENGTH = 64;
    uint256 internal constant MAX_CREDENTIAL_TYPE_LENGTH = 128;
    uint256 internal constant MAX_ROLE_LENGTH = 64;
    uint256 internal constant MAX_SERVICE_TYPE_LENGTH = 64;
    uint256 internal constant MAX_URI_LENGTH = 512;

    // ------------------------------------------------------------------ character sets

    uint256 private constant DIGIT = ((1 << 10) - 1) << 0x30; // 0-9
    uint256 private constant UPPER = ((1 << 26) - 1) << 0x41; // A-Z
    uint256 private constant LOWER = ((1 << 26) - 1) << 0x61; // a-z
    uint256 private constant ALPHA = UPPER | LOWER;
    uint256 private constant ALNUM = ALPHA | DIGIT;
    uint256 private constant HEXDIG = DIGIT | (((1 << 6) - 1) << 0x41) | (((1 << 6) - 1) << 0x61);

    uint256 private constant BANG = 1 << 0x21; // !
    uint256 private constant HASH = 1 << 0x23; // #
    uint256 private constant DOLLAR = 1 << 0x24; // $
    uint256 private constant PERCENT = 1 << 0x25; // %
    uint256 private constant AMPERSAND = 1 << 0x26; // &
    uint256 private constant PARENS = (1 << 0x28) | (1 << 0x29); // ( )
    uint256 private constant STAR = 1 << 0x2a; // *
    uint256 private constant PLUS = 1 << 0x2b; // +
    uint256 private constant COMMA = 1 << 0x2c; // ,
    uint256 private constant HYPHEN = 1 << 0x2d; // -
    uint256 private constant DOT = 1 << 0x2e; // .
    uint256 private constant SLASH = 1 << 0x2f; // /
    uint256 private constant COLON = 1 << 0x3a; // :
    uint256 private constant SEMICOLON = 1 << 0x3b; // ;
    uint256 private constant EQUALS = 1 << 0x3d; // =
    uint256 private constant QUESTION = 1 << 0x3f; // ?
    uint256 private constant AT = 1 << 0x40; // @
    uint256 private constant BRACKETS = (1 << 0x5b) | (1 << 0x5d); // [ ]
    uint256 private constant UNDERSCORE = 1 << 0x5f; // _
    uint256 private constant TILDE = 1 << 0x7e; // ~

    /// @dev DID Core idchar without pct-encoded: ALPHA / DIGIT / "." / "-" / "_".
    uint256 private constant ID_CHAR = ALNUM | DOT | HYPHEN | UNDERSCORE;
    /// @dev DID Core method-char: %x61-7A / DIGIT.
    uint256 private constant METHOD_CHAR = LOWER | DIGIT;
    uint256 private constant LABEL_CHAR = LOWER | DIGIT | HYPHEN | UNDERSCORE;
    uint256 private constant CREDENTIAL_TYPE_CHAR = ALNUM | DOT | UNDERSCORE | COLON | SLASH | HASH | QUESTION | EQUALS
        | AMPERSAND | PERCENT | TILDE | PLUS | HYPHEN;
    uint256 private constant ROLE_CHAR = ALNUM | DOT | UNDERSCORE | COLON | HYPHEN;
    uint256 private constant SERVICE_TYPE_CHAR = ALNUM | DOT | UNDERSCORE | COLON | SLASH | HYPHEN;
    /// @dev RFC 3986 scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
    uint256 private constant SCHEME_CHAR = ALNUM | PLUS | HYPHEN | DOT;
    /// @dev RFC 3986 unreserved / gen-delims / sub-delims, without the single quote; `%` is
    /// checked apart, as the start of pct-encoded.
    uint256 private constant URI_CHAR = ALNUM | HYPHEN | DOT | UNDERSCORE | TILDE | COLON | SLASH | QUESTION | HASH
        | BRACKETS | AT | BANG | DOLLAR | AMPERSAND | PARENS | STAR | PLUS | COMMA | SEMICOLON | EQUALS;

    // ------------------------------------------------------------------ grammars

    /// @notice A DID as DID Core 1.0 §3.1 defines it, at most 256 bytes:
    ///   did                = "did:" method-name ":" method-specific-id
    ///   method-name        = 1*method-char            ; a-z 0-9
    ///   method-specific-id = *( *idchar ":" ) 1*idchar ; idchar = A-Z a-z 0-9 . - _ / "%" HEXDIG HEXDIG
    /// so no path, query or fragment (`/ ? #`), no trailing `:`, nothing but printable ASCII.
    /// The resolver serves exactly these DIDs (resolver/did_syntax.py, same pattern).
    function didFault(bytes memory value) internal pure returns (uint256) {
        uint256 length = value.length;
        if (length > MAX_DID_LENGTH) return MAX_DID_LENGTH;
        bytes4 prefix = "did:";
        // casting to 'bytes4' is safe because it keeps the first four bytes, the prefix compared
        // forge-lint: disable-next-line(unsafe-typecast)
        if (length < 4 || bytes4(value) != prefix) {
            for (uint256 i = 0; i < 4; ++i) {
                if (i == length) return length;
                if (_byteAt(value, i) != uint8(prefix[i])) return i;
            }
        }
        uint256 methodEnd = _span(value, 4, METHOD_CHAR);
        if (methodEnd == length) return length;
        if (methodEnd == 4 || _byteAt(value, methodEnd) != 0x3a) return methodEnd;
        uint256 fault = _charsOrPctEncodedFault(value, methodEnd + 1, ID_CHAR | COLON);
        if (fault != OK) return fault;
        // the method-specific-id is not empty and does not end with ":"
        if (length == methodEnd + 1 || _byteAt(value, length - 1) == 0x3a) return length;
        return OK;
    }

    /// @notice A registry label: 1..63 bytes of a-z 0-9 `-` `_` (DNS-like; the full name joins labels with dots).
    function labelFault(bytes memory value) internal pure returns (uint256) {
        return _charsFault(value, LABEL_CHAR, MAX_LABEL_LENGTH);
    }

    /// @notice A key id or service id, i.e. the fragment of a DID URL (`did:...#key-1`): 1..64 bytes of
    /// A-Z a-z 0-9 `.` `_` `-`, a subset of RFC 3986 fragment characters that needs no escaping anywhere.
    function fragmentFault(bytes memory value) internal pure returns (uint256) {
        return _charsFault(value, ID_CHAR, MAX_FRAGMENT_LENGTH);
    }

    /// @notice A verification method type: 1..64 bytes of A-Z a-z 0-9, as every type in the DID
    /// Specification Registries is spelled (JsonWebKey2020, Multikey, EcdsaSecp256k1VerificationKey2019).
    function keyTypeFault(bytes memory value) internal pure returns (uint256) {
        return _charsFault(value, ALNUM, MAX_KEY_TYPE_LENGTH);
    }

    /// @notice A credential type: 1..128 bytes of A-Z a-z 0-9 and `. _ : / # ? = & % ~ + -`: W3C type
    /// names (EmployeeCredential), TW DIW template codes (00000000_vc_employee_credential) and SD-JWT VC
    /// `vct` URIs and URNs (https://issuer.example/vct/employee, urn:eudi:pid:1).
    function credentialTypeFault(bytes memory value) internal pure returns (uint256) {
        return _charsFault(value, CREDENTIAL_TYPE_CHAR, MAX_CREDENTIAL_TYPE_LENGTH);
    }

    /// @notice A role name: 1..64 bytes of A-Z a-z 0-9 and `. _ : -` (P.Info.gold, GOLD_CUSTOMER).
    function roleFault(bytes memory value) internal pure returns (uint256) {
        return _charsFault(value, ROLE_CHAR, MAX_ROLE_LENGTH);
    }

    /// @notice A service type: 1..64 bytes of A-Z a-z 0-9 and `. _ : / -` (OID4VCI, LinkedDomains).
    function serviceTypeFault(bytes memory value) internal pure returns (uint256) {
        return _charsFault(value, SERVICE_TYPE_CHAR, MAX_SERVICE_TYPE_LENGTH);
    }

    /// @notice An absolute URI, checked at the character level of RFC 3986, 1..512 bytes:
    ///   scheme ":" *( unreserved / gen-delims / sub-delims / "%" HEXDIG HEXDIG )
    /// with scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) and without the single quote. So no
    /// spaces, controls, quotes, `<` `>` `\` `^` `` ` `` `{` `|` `}` or non-ASCII; the structure after the
    /// scheme (authority, path, query) is the client's to parse, as for any URI it is handed.
    function uriFault(bytes memory value) internal pure returns (uint256) {
        uint256 length = value.length;
        if (length > MAX_URI_LENGTH) return MAX_URI_LENGTH;
        if (length == 0 || !_in(ALPHA, _byteAt(value, 0))) return 0;
        uint256 schemeEnd = _span(value, 1, SCHEME_CHAR);
        if (schemeEnd == length) return length;
        if (_byteAt(value, schemeEnd) != 0x3a) return schemeEnd;
        return _charsOrPctEncodedFault(value, schemeEnd + 1, URI_CHAR);
    }

    // ------------------------------------------------------------------ internals

    /// @dev 1..maxLength bytes, each in `allowed`.
    function _charsFault(bytes memory value, uint256 allowed, uint256 maxLength) private pure returns (uint256) {
        uint256 length = value.length;
        if (length > maxLength) return maxLength;
        if (length == 0) return 0;
        uint256 end = _span(value, 0, allowed);
        return end == length ? OK : end;
    }

    /// @dev From `from` to the end, bytes in `allowed` or pct-encoded triplets ("%" HEXDIG HEXDIG).
    function _charsOrPctEncodedFault(bytes memory value, uint256 from, uint256 allowed) private pure returns (uint256) {
        uint256 length = value.length;
        uint256 at = _span(value, from, allowed);
        while (at < length) {
            if (_byteAt(value, at) != 0x25) return at;
            for (uint256 k = 1; k <= 2; ++k) {
                if (at + k == length) return length;
                if (!_in(HEXDIG, _byteAt(value, at + k))) return at + k;
            }
            at = _span(value, at + 3, allowed);
        }
        return OK;
    }

    /// @dev The first offset at or after `from` whose byte is not in `set`, or the length.
    function _span(bytes memory value, uint256 from, uint256 set) private pure returns (uint256 at) {
        assembly ("memory-safe") {
            let length := mload(value)
            let data := add(value, 0x20)
            for { at := from } lt(at, length) { at := add(at, 1) } {
                if iszero(and(shr(byte(0, mload(add(data, at))), set), 1)) { break }
            }
        }
    }

    function _in(uint256 set, uint256 c) private pure returns (bool) {
        return (set >> c) & 1 == 1;
    }

    /// @dev value[at] as a number; the caller guarantees at < value.length.
    function _byteAt(bytes memory value, uint256 at) private pure returns (uint256 c) {
        assembly ("memory-safe") {
            c := byte(0, mload(add(add(value, 0x20), at)))
        }
    }
}
