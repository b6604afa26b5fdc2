/// Expands the variables a manifest's strings may hold, in one way for every field that takes
/// them (`command`, `args`, `cwd`, `env` values, the audit log and the ledger, approver commands,
/// `pathWithin`, `hostIn`):
///
/// - `${NAME}`: the value of `NAME` in Tollgate's environment; unset is a problem naming it;
/// - `${NAME:-default}`: the value of `NAME`, or `default` (as written, up to the first `}`) when
///   `NAME` is unset or empty;
/// - `${MANIFEST_DIR}`: the absolute path of the manifest's folder (never read from the environment);
/// - `$$`: a literal `$`.
///
/// A reference to a variable that holds one of Tollgate's own ``secrets`` is refused.
///
/// A `$` before anything else stays as written (`sh -c 'echo $HOME'` reaches the shell unchanged).
/// Values are inserted as they are: a variable's value is never expanded again. Pure: the
/// environment and the folder are given, nothing is read.
public struct ManifestVariables: Sendable {
    /// Why a string could not be expanded.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// These variables (in order of appearance) are not set and have no default.
        case unset([String])
        /// The text is not valid variable syntax (the message says where and what is expected).
        case malformed(String)
        /// The text refers to a variable that holds one of Tollgate's own secrets.
        case secret(String)

        public var description: String {
            switch self {
            case .unset(let names):
                let list = names.map { "${\($0)}" }.joined(separator: ", ")
                let verb = names.count == 1 ? "is" : "are"
                let hint = names.first.map { "${\($0):-default}" } ?? "${NAME:-default}"
                return "\(list) \(verb) not set in Tollgate's environment; set \(names.count == 1 ? "it" : "them"), or write \(hint)"
            case .malformed(let message):
                return message
            case .secret(let name):
                return "\(name) holds a secret of Tollgate's own, which no process Tollgate starts gets; remove the reference"
            }
        }
    }

    /// The name that always means the manifest's folder.
    public static let manifestDirectoryName = "MANIFEST_DIR"

    /// Tollgate's environment.
    public let environment: [String: String]
    /// The manifest's folder, absolute.
    public let manifestDirectory: String
    /// Variables that hold Tollgate's own secrets: a reference to one is refused.
    public let secrets: [String]

    public init(environment: [String: String], manifestDirectory: String, secrets: [String] = []) {
        self.environment = environment
        self.manifestDirectory = manifestDirectory
        self.secrets = secrets
    }

    /// Whether `name` holds one of Tollgate's own secrets (compared byte for byte).
    public func isSecret(_ name: String) -> Bool {
        secrets.contains { $0.utf8.elementsEqual(name.utf8) }
    }

    /// `text` with its variables replaced; throws the first malformed reference, or every unset
    /// variable without a default.
    public func expand(_ text: String) throws(Problem) -> String {
        let bytes = Array(text.utf8)
        guard bytes.contains(UInt8(ascii: "$")) else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var unset: [String] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "$"), index + 1 < bytes.count else {
                output.append(byte)
                index += 1
                continue
            }
            switch bytes[index + 1] {
            case UInt8(ascii: "$"):
                output.append(UInt8(ascii: "$"))
                index += 2
            case UInt8(ascii: "{"):
                guard let close = bytes[(index + 2)...].firstIndex(of: UInt8(ascii: "}")) else {
                    throw .malformed("\"\(text)\": \"${\" is not closed by \"}\"; write \"$${\" for a literal \"${\"")
                }
                let reference = try Reference(bytes[(index + 2)..<close], in: text)
                if isSecret(reference.name) { throw .secret(reference.name) }
                if let value = value(of: reference) {
                    output.append(contentsOf: value.utf8)
                } else if !unset.contains(reference.name) {
                    unset.append(reference.name)
                }
                index = close + 1
            default:
                output.append(byte)
                index += 1
            }
        }
        guard unset.isEmpty else { throw .unset(unset) }
        return String(decoding: output, as: UTF8.self)
    }

    /// The value a reference stands for, or nil when it is unset and has no default.
    private func value(of reference: Reference) -> String? {
        if reference.name == Self.manifestDirectoryName { return manifestDirectory }
        if let value = environment[reference.name], !(reference.fallback != nil && value.isEmpty) { return value }
        return reference.fallback
    }

    /// Whether `name` is a variable name: ASCII letters, digits and `_`, not starting with a digit.
    public static func isVariableName(_ name: some Collection<UInt8>) -> Bool {
        guard let first = name.first, !isDigit(first) else { return false }
        return name.allSatisfy { byte in
            let lowered = byte | 0x20
            return isDigit(byte) || (lowered >= UInt8(ascii: "a") && lowered <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// What is written between `${` and `}`: a name, and a default after `:-`.
    private struct Reference {
        var name: String
        var fallback: String?

        init(_ content: ArraySlice<UInt8>, in text: String) throws(Problem) {
            let nameEnd = content.firstIndex(of: UInt8(ascii: ":")) ?? content.endIndex
            let name = content[..<nameEnd]
            guard ManifestVariables.isVariableName(name) else {
                let written = String(decoding: content, as: UTF8.self)
                throw .malformed("\"\(text)\": \"${\(written)}\" does not start with a variable name "
                                 + "(letters, digits and '_', not a digit first); write \"$$\" for a literal \"$\"")
            }
            self.name = String(decoding: name, as: UTF8.self)
            guard nameEnd < content.endIndex else { return }
            let rest = content[nameEnd...]
            guard rest.starts(with: [UInt8(ascii: ":"), UInt8(ascii: "-")]) else {
                throw .malformed("\"\(text)\": \"${\(String(decoding: content, as: UTF8.self))}\": expected ${NAME} or ${NAME:-default}")
            }
            fallback = String(decoding: rest.dropFirst(2), as: UTF8.self)
        }
    }
}
