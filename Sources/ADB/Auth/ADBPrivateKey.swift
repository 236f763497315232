import BigInt
import Crypto
import CryptoExtras
import Foundation

/// An RSA key as adb uses it: stored as PKCS#8 PEM in `~/.android/adbkey`, used to sign the
/// device's 20-byte AUTH token.
public struct ADBPrivateKey: Sendable {
    private let signingKey: _RSA.Signing.PrivateKey
    private let rawKey: _RSA.BlindSigning.PrivateKey<SHA384>
    public let publicKey: ADBPublicKey

    /// Where the key came from, for messages.
    public let origin: String

    public init(pem: String, origin: String = "key") throws(ADBError) {
        do {
            signingKey = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
            rawKey = try _RSA.BlindSigning.PrivateKey(pemRepresentation: pem, parameters: .RSABSSA_SHA384_PSS_Deterministic)
            let primitives = try signingKey.publicKey.getKeyPrimitives()
            publicKey = try ADBPublicKey(modulus: BigUInt(primitives.modulus), exponent: BigUInt(primitives.publicExponent))
        } catch let error as ADBError {
            throw error
        } catch {
            // The crypto library's error is a bare code that tells a user nothing.
            throw .io("\(origin) is not a usable adb key: it must be an RSA private key of 2048 bits or more in PEM form")
        }
        self.origin = origin
    }

    /// A fresh 2048-bit key with exponent 65537, as `adb` generates on first run.
    public static func generate() throws(ADBError) -> ADBPrivateKey {
        do {
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            return try ADBPrivateKey(pem: key.pkcs8PEMRepresentation, origin: "generated key")
        } catch let error as ADBError {
            throw error
        } catch {
            throw .io("could not generate an RSA key: \(error)")
        }
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), the format of `~/.android/adbkey`.
    public var pkcs8PEM: String { signingKey.pkcs8PEMRepresentation }

    /// Signs the token the way adb does: the 20 token bytes stand in for a SHA-1 digest (they are
    /// not hashed again), wrapped in the SHA-1 DigestInfo and PKCS#1 v1.5 type-1 padding, then
    /// raised to the private exponent.
    public func sign(token: [UInt8]) throws(ADBError) -> [UInt8] {
        guard token.count == ADBProtocol.tokenSize else {
            throw .protocolViolation("AUTH token of \(token.count) bytes; adb tokens are \(ADBProtocol.tokenSize)")
        }
        let encoded = ADBPublicKey.encodedMessage(token: token, modulusBytes: publicKey.modulusBytes)
        do {
            return Array(try rawKey.blindSignature(for: encoded).rawRepresentation)
        } catch {
            throw .io("signing the AUTH token with \(origin) failed: \(error)")
        }
    }
}

/// An RSA public key and Android's encodings of it.
public struct ADBPublicKey: Sendable, Equatable {
    public let modulus: BigUInt
    public let exponent: BigUInt

    /// The size of the mincrypt `RSAPublicKey` struct for a 2048-bit key.
    public static let androidStructSize = 524

    public init(modulus: BigUInt, exponent: BigUInt) throws(ADBError) {
        guard modulus.bitWidth == 2048, modulus[bitAt: 0] else {
            throw .invalidArgument("adb keys are 2048-bit RSA; this modulus has \(modulus.bitWidth) bits")
        }
        self.modulus = modulus
        self.exponent = exponent
    }

    var modulusBytes: Int { 256 }

    /// `00 01 FF… 00 || DigestInfo(SHA-1) || token`: the PKCS#1 v1.5 block for a SHA-1-sized digest.
    static func encodedMessage(token: [UInt8], modulusBytes: Int) -> [UInt8] {
        let digestInfo: [UInt8] = [0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14]
        let padding = modulusBytes - 3 - digestInfo.count - token.count
        return [0x00, 0x01] + [UInt8](repeating: 0xff, count: padding) + [0x00] + digestInfo + token
    }

    /// True when `signature` is this key's adb signature of `token`.
    public func verify(signature: [UInt8], token: [UInt8]) -> Bool {
        guard signature.count == modulusBytes, token.count == ADBProtocol.tokenSize else { return false }
        let s = BigUInt(Data(signature))
        guard s < modulus else { return false }
        let recovered = s.power(exponent, modulus: modulus)
        let expected = BigUInt(Data(Self.encodedMessage(token: token, modulusBytes: modulusBytes)))
        return recovered == expected
    }

    /// The mincrypt `RSAPublicKey` struct: word count, n0inv, n and R² mod n little-endian, exponent.
    public var androidStruct: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(Self.androidStructSize)
        out.appendLittleEndian(UInt32(64))
        // n0inv = -1 / n mod 2^32
        let n0 = UInt32(truncatingIfNeeded: modulus.words[0])
        var inverse: UInt32 = 1
        for _ in 0..<5 { inverse = inverse &* (2 &- n0 &* inverse) }  // Newton: 5 steps reach 32 bits
        out.appendLittleEndian(0 &- inverse)
        out.append(contentsOf: Self.littleEndian(modulus, count: 256))
        let rr = (BigUInt(1) << 4096) % modulus
        out.append(contentsOf: Self.littleEndian(rr, count: 256))
        out.appendLittleEndian(UInt32(truncatingIfNeeded: exponent.words.first ?? 0))
        return out
    }

    /// Parses the mincrypt struct; checks what adbd and BoringSSL check, and that n0inv and rr agree with n.
    public init(androidStruct bytes: [UInt8]) throws(ADBError) {
        guard bytes.count == Self.androidStructSize else {
            throw .invalidArgument("an Android RSA public key is \(Self.androidStructSize) bytes, got \(bytes.count)")
        }
        func word(_ offset: Int) -> UInt32 {
            UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
        }
        guard word(0) == 64 else {
            throw .invalidArgument("Android RSA public key with \(word(0)) modulus words; only 2048-bit (64 words) keys exist")
        }
        let n = BigUInt(Data(bytes[8..<264].reversed()))
        let e = BigUInt(word(520))
        try self.init(modulus: n, exponent: e)
        guard androidStruct == bytes else {
            throw .invalidArgument("Android RSA public key has inconsistent n0inv or rr")
        }
    }

    /// `base64(struct) user@host`, the text of `adbkey.pub` (without the trailing NUL).
    public func androidText(comment: String) -> String {
        Data(androidStruct).base64EncodedString() + " " + comment
    }

    /// Parses `adbkey.pub` text or an AUTH RSAPUBLICKEY payload (base64, optional comment, optional NUL).
    public init(androidText text: String) throws(ADBError) {
        let trimmed = text.trimmingCharacters(in: CharacterSet(charactersIn: "\0").union(.whitespacesAndNewlines))
        let base64 = trimmed.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        guard let data = Data(base64Encoded: base64) else {
            throw .invalidArgument("Android public key is not base64")
        }
        try self.init(androidStruct: Array(data))
    }

    private static func littleEndian(_ value: BigUInt, count: Int) -> [UInt8] {
        var bytes = [UInt8](value.serialize().reversed())
        bytes.append(contentsOf: [UInt8](repeating: 0, count: max(0, count - bytes.count)))
        return Array(bytes.prefix(count))
    }

    /// The fingerprint Android shows in the "Allow USB debugging?" dialog (MD5 of the struct).
    public var fingerprint: String {
        Insecure.MD5.hash(data: androidStruct).map { String(format: "%02X", $0) }.joined(separator: ":")
    }
}
