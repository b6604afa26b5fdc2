/// Why a manifest rule key is not a valid tool-name pattern ("bad glob").
public struct NamePatternError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the pattern.
    public enum Reason: Sendable, Equatable {
        /// The key is the empty string.
        case empty
        /// The key holds a character outside ``NameMatcher/allowedCharacters``; `offset` counts Unicode scalars from 0.
        case badCharacter(Unicode.Scalar, offset: Int)
        /// The key is longer than ``NameMatcher/maxLength`` characters.
        case tooLong(length: Int)
    }

    /// The rule key as written.
    public var pattern: String
    /// What is wrong with it.
    public var reason: Reason

    /// Creates an error for `pattern`.
    public init(pattern: String, reason: Reason) {
        self.pattern = pattern
        self.reason = reason
    }

    /// What is wrong and what is expected, in one sentence (without the key's location).
    public var message: String {
        switch reason {
        case .empty:
            return "a tool rule key must not be empty"
        case .badCharacter(let scalar, let offset):
            return "bad tool name pattern \(quoted(pattern)): character \(describe(scalar)) at position \(offset + 1) "
                + "is not allowed; use only \(NameMatcher.allowedCharacters) (* = any run of characters, ? = one character)"
        case .tooLong(let length):
            return "bad tool name pattern: \(length) characters long, at most \(NameMatcher.maxLength) are allowed"
        }
    }

    /// Same as ``message``.
    public var description: String { message }

    private func quoted(_ text: String) -> String {
        var writer = JSONWriter()
        writer.write(string: text)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: Swift.max(0, 4 - hex.count)) + hex
        if scalar.value >= 0x21 && scalar.value < 0x7F { return "'\(Character(scalar))' (\(code))" }
        return code
    }
}
