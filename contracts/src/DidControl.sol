// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ITrustRegistry} from "./interfaces/ITrustRegistry.sol";

/// @title DidControl: which proof of control a DID method allows, and the on-chain checks of it
/// @notice A registration names the child's DID; the DID's controller proves it consents to that
/// exact registration by signing (or, for did:web, publishing) the registration's EIP-712 digest
/// (TrustRegistry.registrationDigest: registry, chain id, parent, label, DID, controller, expiry).
/// - did:ethr (address form) and did:pkh:eip155: a secp256k1 signature, checked here (ecrecover).
/// - did:key, did:jwk, did:ethr with a public key, other did:pkh: a signature (Ed25519, P-256,
///   secp256k1) that the EVM cannot check on every chain; the registering tool and the parent
///   check it before sending, the contract records it, and the follower checks it again.
/// - did:web: the digest itself, which the domain publishes; the registering tool fetches it from
///   the domain before sending, the contract records it.
/// - any other method: no proof (the method gives the registry nothing to check).
library DidControl {
    /// @dev secp256k1n / 2: signatures with a larger s are malleable twins, refused (EIP-2).
    uint256 private constant HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
    /// @dev The most bytes an off-chain proof may take (an Ed25519 or ECDSA signature is 64-65).
    uint256 internal constant MAX_PROOF_LENGTH = 512;

    /// @notice The proof kind `did`'s method allows, and for Secp256k1 the account that must sign.
    /// @param did a DID that passed Grammar.didFault
    function kindOf(string calldata did) internal pure returns (ITrustRegistry.DidProofKind kind, address account) {
        bytes32 head;
        assembly {
            head := calldataload(did.offset) // bytes past the end are masked off below
        }
        uint256 n = bytes(did).length;
        if (_is(head, n, "did:ethr:", 9) || _is(head, n, "did:pkh:eip155:", 15)) {
            bool found;
            (found, account) = _trailingAddress(bytes(did));
            if (found) return (ITrustRegistry.DidProofKind.Secp256k1, account);
            return (ITrustRegistry.DidProofKind.Signature, address(0));
        }
        if (_is(head, n, "did:key:", 8) || _is(head, n, "did:jwk:", 8) || _is(head, n, "did:pkh:", 8)) {
            return (ITrustRegistry.DidProofKind.Signature, address(0));
        }
        if (_is(head, n, "did:web:", 8)) return (ITrustRegistry.DidProofKind.WebChallenge, address(0));
        return (ITrustRegistry.DidProofKind.None, address(0));
    }

    /// @notice Whether `proof` is a 65-byte (r, s, v) secp256k1 signature of `digest` by `account`,
    /// with a low s and v of 27 or 28.
    function signedBy(bytes32 digest, bytes calldata proof, address account) internal pure returns (bool) {
        if (proof.length != 65) return false;
        bytes32 r = bytes32(proof[0:32]);
        bytes32 s = bytes32(proof[32:64]);
        uint8 v = uint8(proof[64]);
        if (uint256(s) > HALF_N || (v != 27 && v != 28)) return false;
        address signer = ecrecover(digest, v, r, s);
        return signer != address(0) && signer == account;
    }

    /// @dev Whether the value whose first 32 bytes are `head` and whose length is `n` starts with the
    /// `length`-byte `prefix` (left-aligned, as a string literal converts to bytes32).
    function _is(bytes32 head, uint256 n, bytes32 prefix, uint256 length) private pure returns (bool) {
        if (n < length) return false;
        return head & bytes32(~(type(uint256).max >> (8 * length))) == prefix;
    }

    /// @dev The address of a DID whose last `:`-separated part is `0x` and 40 hex digits (either case).
    function _trailingAddress(bytes calldata did) private pure returns (bool found, address account) {
        uint256 n = did.length;
        if (n < 43 || did[n - 43] != ":" || did[n - 42] != "0" || (did[n - 41] != "x" && did[n - 41] != "X")) {
            return (false, address(0));
        }
        uint256 value;
        bool bad;
        assembly {
            let start := add(did.offset, sub(n, 40))
            for { let i := 0 } lt(i, 40) { i := add(i, 1) } {
                let c := byte(0, calldataload(add(start, i)))
                let digit := 0
                switch and(gt(c, 0x2f), lt(c, 0x3a))
                case 1 { digit := sub(c, 0x30) }
                default {
                    let lower := or(c, 0x20) // A-F -> a-f
                    switch and(gt(lower, 0x60), lt(lower, 0x67))
                    case 1 { digit := sub(lower, 0x57) }
                    default { bad := 1 }
                }
                value := or(shl(4, value), digit)
            }
        }
        if (bad) return (false, address(0));
        return (true, address(uint160(value)));
    }
}
