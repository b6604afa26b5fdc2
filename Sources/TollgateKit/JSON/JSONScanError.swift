/// Why a byte sequence is not a message Tollgate will read.
public struct JSONScanError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in the terms of the JSON grammar.
    public enum Reason: Sendable, Equatable {
        case unexpectedEnd
        case unexpectedByte(UInt8)
        case invalidUTF8
        case invalidEscape
        case unpairedSurrogate
        case controlCharacterInString
        case invalidNumber
        case duplicateKey(String)
        case tooDeep(limit: Int)
        case trailingData
        case empty
    }

    /// What went wrong.
    public var reason: Reason
    /// The byte offset where it went wrong.
    public var offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        let what: String
        switch reason {
        case .unexpectedEnd: what = "truncated JSON"
        case .unexpectedByte(let byte):
            what = byte >= 0x20 && byte < 0x7F
                ? "unexpected character '\(Character(UnicodeScalar(byte)))'"
                : "unexpected byte 0x\(String(byte, radix: 16, uppercase: true))"
        case .invalidUTF8: what = "invalid UTF-8"
        case .invalidEscape: what = "invalid escape sequence"
        case .unpairedSurrogate: what = "unpaired UTF-16 surrogate in \\u escape"
        case .controlCharacterInString: what = "unescaped control character in string"
        case .invalidNumber: what = "invalid number"
        case .duplicateKey(let key): what = "duplicate key \"\(key)\""
        case .tooDeep(let limit): what = "nesting deeper than \(limit) levels"
        case .trailingData: what = "data after the JSON value"
        case .empty: what = "empty message"
        }
        return "\(what) at byte \(offset)"
    }
}
