/// What an audit record keeps of a call's arguments (`audit.arguments` in the manifest).
///
/// Whatever the mode, the record carries `argumentsSha256`, the SHA-256 of the canonical form
/// of the arguments as they were called (before any redaction), so a record can be matched
/// against arguments an investigator already holds.
///
/// Redaction (the default mode) walks the arguments and replaces with `"[REDACTED]"`:
/// - the value of every member whose key names a secret (see ``isSensitiveKey(_:)``), whatever
///   its type, except `null` and booleans, which cannot carry one; nested objects and arrays
///   under such a key are replaced as a whole;
/// - every string that looks like a credential (see ``looksLikeCredential(_:)``), at any depth;
/// - every member key that itself looks like a credential is renamed `"[REDACTED]"` (with `#2`,
///   `#3`… when several are), and its value redacted.
/// Array elements are walked the same way; numbers, booleans and null are kept.
public enum AuditRedaction {
    /// The audit setting for arguments.
    public enum Mode: String, Sendable, CaseIterable {
        /// Arguments with secrets replaced (the default).
        case redacted
        /// Arguments as called.
        case full
        /// No arguments, only `argumentsSha256`.
        case digest
    }

    /// What replaces a redacted value.
    public static let placeholder = "[REDACTED]"

    /// Words that mark a key as naming a secret when they occur anywhere in it (ASCII case ignored).
    static let sensitiveKeyParts: [[UInt8]] = [
        "password", "passwd", "passphrase", "secret", "token", "apikey", "api_key", "api-key",
        "authorization", "auth", "credential", "cookie", "session", "private",
    ].map { Array($0.utf8) }

    /// The arguments to record under `mode`: nil for ``Mode/digest``.
    public static func arguments(_ arguments: JSONValue, mode: Mode) -> JSONValue? {
        switch mode {
        case .full: arguments
        case .redacted: redact(arguments)
        case .digest: nil
        }
    }

    /// `value` with every secret replaced by ``placeholder``, as described on ``AuditRedaction``.
    public static func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .null, .bool, .number:
            return value
        case .string(let text):
            return looksLikeCredential(text) ? .string(placeholder) : value
        case .array(let elements):
            return .array(elements.map(redact))
        case .object(let object):
            var result = JSONObject()
            var renamed = 0
            for member in object.members {
                var key = member.key
                var sensitive = isSensitiveKey(key)
                if looksLikeCredential(key) {
                    renamed += 1
                    key = renamed == 1 ? placeholder : "\(placeholder)#\(renamed)"
                    while object[key] != nil { renamed += 1; key = "\(placeholder)#\(renamed)" }
                    sensitive = true
                }
                result[key] = sensitive ? redactWhole(member.value) : redact(member.value)
            }
            return .object(result)
        }
    }

    /// Whether redaction would leave `object` as it is: no key names a secret or looks like a
    /// credential, and no string at any depth looks like one (the usual case, in which a record
    /// keeps the canonical bytes of the arguments it already has).
    static func findsNothing(in object: JSONObject) -> Bool {
        for member in object.members {
            if isSensitiveKey(member.key) || looksLikeCredential(member.key) || !findsNothing(in: member.value) { return false }
        }
        return true
    }

    private static func findsNothing(in value: JSONValue) -> Bool {
        switch value {
        case .null, .bool, .number: true
        case .string(let text): !looksLikeCredential(text)
        case .array(let elements): elements.allSatisfy { findsNothing(in: $0) }
        case .object(let object): findsNothing(in: object)
        }
    }

    /// The value of a member whose key names a secret.
    private static func redactWhole(_ value: JSONValue) -> JSONValue {
        switch value {
        case .null, .bool: value
        default: .string(placeholder)
        }
    }

    /// Whether a member key names a secret: it contains (ASCII case ignored) one of `password`,
    /// `passwd`, `passphrase`, `secret`, `token`, `apikey`, `api_key`, `api-key`, `authorization`,
    /// `auth`, `credential`, `cookie`, `session`, `private`; or its last word is `key` or `keys`,
    /// where words are split at non-alphanumeric characters and camel-case humps (`key`,
    /// `ssh_key`, `SSH-KEY`, `accessKey`, `SSHKey`, `signing_keys`; not `keyboard`, `monkey`,
    /// `key_id`).
    public static func isSensitiveKey(_ key: String) -> Bool {
        var key = key
        return key.withUTF8 { utf8 in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(utf8.count, 1)) { buffer in
                for index in utf8.indices { buffer[index] = asciiLowercased(utf8[index]) }
                let lower = UnsafeBufferPointer(rebasing: buffer[..<utf8.count])
                for part in sensitiveKeyParts where contains(lower, part) { return true }
                guard let last = lastWord(of: utf8) else { return false }
                return (last.count == 3 || last.count == 4) && lower[last.lowerBound..<last.lowerBound + 3].elementsEqual(keyWord)
                    && (last.count == 3 || lower[last.lowerBound + 3] == UInt8(ascii: "s"))
            }
        }
    }

    private static let keyWord: [UInt8] = Array("key".utf8)

    /// Where the last word of an identifier is: trailing digits and separators dropped, then split
    /// at non-alphanumerics, digits and camel-case humps (`sshKey2` → `Key`, `SSHKey` → `Key`).
    static func lastWord(of bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        var end = bytes.count
        while end > 0 && !(isUpper(bytes[end - 1]) || isLower(bytes[end - 1])) { end -= 1 }
        guard end > 0 else { return nil }
        var start = end - 1
        while start > 0 {
            let previous = bytes[start - 1], current = bytes[start]
            if !isUpper(previous) && !isLower(previous) { break }
            if isUpper(current) && !isUpper(previous) { break }
            if isUpper(previous) && isUpper(current) && start + 1 < end && isLower(bytes[start + 1]) { break }
            start -= 1
        }
        return start..<end
    }

    static func contains<Haystack: RandomAccessCollection<UInt8>>(_ haystack: Haystack, _ needle: [UInt8]) -> Bool where Haystack.Index == Int {
        guard needle.count <= haystack.count else { return false }
        let base = haystack.startIndex
        outer: for start in 0...(haystack.count - needle.count) {
            for offset in 0..<needle.count where haystack[base + start + offset] != needle[offset] { continue outer }
            return true
        }
        return false
    }

    @inline(__always) static func asciiLowercased(_ byte: UInt8) -> UInt8 { isUpper(byte) ? byte + 32 : byte }
    @inline(__always) static func isUpper(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
    @inline(__always) static func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    @inline(__always) static func isAlphanumeric(_ byte: UInt8) -> Bool { isUpper(byte) || isLower(byte) || isDigit(byte) }
}
