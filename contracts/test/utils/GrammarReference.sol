// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title GrammarReference
/// @notice The string grammars of the registries written out a second, plainer way (alphabet
/// strings searched byte by byte, a DID split at its colons), for fuzz tests to hold
/// src/Grammar.sol against. Slow on purpose: nothing here is shared with the contract.
abstract contract GrammarReference {
    bytes internal constant DIGITS = "0123456789";
    bytes internal constant LOWERS = "abcdefghijklmnopqrstuvwxyz";
    bytes internal constant UPPERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    bytes internal constant HEX_DIGITS = "0123456789abcdefABCDEF";

    function _alnum() internal pure returns (bytes memory) {
        return bytes.concat(DIGITS, LOWERS, UPPERS);
    }

    /// @dev A-Z a-z 0-9 . - _ (DID Core idchar without pct-encoded; also key and service ids).
    function _idChars() internal pure returns (bytes memory) {
        return bytes.concat(_alnum(), ".-_");
    }

    function _credentialTypeChars() internal pure returns (bytes memory) {
        return bytes.concat(_alnum(), "._:/#?=&%~+-");
    }

    function _roleChars() internal pure returns (bytes memory) {
        return bytes.concat(_alnum(), "._:-");
    }

    function _serviceTypeChars() internal pure returns (bytes memory) {
        return bytes.concat(_alnum(), "._:/-");
    }

    /// @dev RFC 3986 unreserved, gen-delims and sub-delims except the single quote.
    function _uriChars() internal pure returns (bytes memory) {
        return bytes.concat(_alnum(), "-._~:/?#[]@!$&()*+,;=");
    }

    function _has(bytes memory alphabet, bytes1 c) internal pure returns (bool) {
        for (uint256 i = 0; i < alphabet.length; ++i) {
            if (alphabet[i] == c) return true;
        }
        return false;
    }

    /// @dev Where a plain 1..maxLength string over `alphabet` first goes wrong: maxLength if too
    /// long, 0 if empty, the first byte outside `alphabet`; type(uint256).max if valid.
    function _refCharsFault(bytes memory value, bytes memory alphabet, uint256 maxLength)
        internal
        pure
        returns (uint256)
    {
        if (value.length > maxLength) return maxLength;
        if (value.length == 0) return 0;
        for (uint256 i = 0; i < value.length; ++i) {
            if (!_has(alphabet, value[i])) return i;
        }
        return type(uint256).max;
    }

    /// @dev "%" HEXDIG HEXDIG at `i`.
    function _isPctEncoded(bytes memory value, uint256 i) internal pure returns (bool) {
        return
            value[i] == "%" && i + 2 < value.length && _has(HEX_DIGITS, value[i + 1]) && _has(HEX_DIGITS, value[i + 2]);
    }

    /// @dev Every byte from `from` on is in `alphabet` or starts a pct-encoded triplet.
    function _allCharsOrPct(bytes memory value, uint256 from, bytes memory alphabet) internal pure returns (bool) {
        uint256 i = from;
        while (i < value.length) {
            if (_has(alphabet, value[i])) {
                i += 1;
            } else if (_isPctEncoded(value, i)) {
                i += 3;
            } else {
                return false;
            }
        }
        return true;
    }

    function _indexOf(bytes memory value, bytes1 c, uint256 from) internal pure returns (uint256) {
        for (uint256 i = from; i < value.length; ++i) {
            if (value[i] == c) return i;
        }
        return type(uint256).max;
    }

    /// @dev did:<method>:<method-specific-id> per DID Core 1.0 §3.1, at most 256 bytes.
    function _refIsDid(bytes memory value) internal pure returns (bool) {
        if (value.length > 256 || value.length < 7) return false; // "did:m:x" is the shortest
        if (value[0] != "d" || value[1] != "i" || value[2] != "d" || value[3] != ":") return false;
        uint256 colon = _indexOf(value, ":", 4);
        if (colon == type(uint256).max || colon == 4) return false;
        for (uint256 i = 4; i < colon; ++i) {
            if (!_has(bytes.concat(LOWERS, DIGITS), value[i])) return false;
        }
        // method-specific-id: idchars and pct-encoded, split by ":", the last part not empty
        if (colon + 1 == value.length || value[value.length - 1] == ":") return false;
        return _allCharsOrPct(value, colon + 1, bytes.concat(_idChars(), ":"));
    }

    /// @dev scheme ":" then RFC 3986 characters (no single quote) or pct-encoded; 1..512 bytes.
    function _refIsUri(bytes memory value) internal pure returns (bool) {
        if (value.length == 0 || value.length > 512) return false;
        uint256 colon = _indexOf(value, ":", 0);
        if (colon == type(uint256).max || colon == 0) return false;
        if (!_has(bytes.concat(LOWERS, UPPERS), value[0])) return false;
        for (uint256 i = 1; i < colon; ++i) {
            if (!_has(bytes.concat(_alnum(), "+-."), value[i])) return false;
        }
        return _allCharsOrPct(value, colon + 1, _uriChars());
    }

    /// @dev `raw` with each byte mapped into `valid`, except a byte >= 250 (about 1 in 43) mapped
    /// into `invalid`: strings near a grammar, so that fuzzing meets both outcomes often.
    function _near(bytes memory raw, bytes memory valid, bytes memory invalid) internal pure returns (bytes memory) {
        bytes memory out = new bytes(raw.length);
        for (uint256 i = 0; i < raw.length; ++i) {
            uint8 b = uint8(raw[i]);
            out[i] = b >= 250 ? invalid[b % invalid.length] : valid[b % valid.length];
        }
        return out;
    }

    /// @dev Bytes no grammar admits, and some every URI-like one does: the hostile end of `_near`.
    function _hostileChars() internal pure returns (bytes memory) {
        return hex"00090a0d202227273c3e5c5e607b7c7d7f80c3e2ff";
    }
}
