import CTollgateSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tollgate's own secrets in its environment, kept from every process it starts and from anyone
/// reading its `/proc/<pid>/environ`.
///
/// ``variables`` is the one list of the variables whose values are secrets Tollgate reads. At
/// start-up, before any thread starts, ``withhold(_:)`` copies each one's value out (for
/// ``value(of:)``), overwrites the value in place with NUL bytes of the same length in the block
/// the kernel shows as `/proc/<pid>/environ` (the strings `environ` points to at start-up;
/// `setenv` and `unsetenv` never change that block) and removes the variable from `environ`. When
/// one was set, the process is also made non-dumpable (`PR_SET_DUMPABLE` 0), so that a process of
/// the same user can neither `ptrace` Tollgate nor read its memory (where the copy lives) through
/// `/proc/<pid>/mem`. Every child's environment (``forChild(_:)``: servers, approver commands,
/// the server `init` and `pin` start) lacks these variables, whatever a manifest's `env` says.
///
/// A manifest setting that names a variable holding a secret (none exists yet) should pass it to
/// ``withhold(_:)`` before any thread starts, which adds it to the variables withheld.
public enum SecretEnvironment {
    /// Every environment variable whose value is a secret Tollgate reads: add new ones here.
    public static let variables: [String] = [AuditKey.environmentVariable] + TelemetryConfiguration.secretVariables

    /// A variable withheld, and its value at start-up (nil when it was not set).
    private struct Withheld: Sendable {
        var name: String
        var value: String?
    }

    /// The variables withheld so far.
    private static let withheld = Mutex<[Withheld]>([])

    /// Takes `names` (by default ``variables``) out of the process's environment, as described
    /// above, and returns whether any of them was set. Call it before any thread starts (it
    /// changes `environ`); a name already withheld keeps the value it had.
    @discardableResult
    public static func withhold(_ names: [String] = variables) -> Bool {
        let values = take(names, from: environ)
        let found = values.contains { $0 != nil }
        withheld.withLock { withheld in
            for (name, value) in zip(names, values) where !withheld.contains(where: { same($0.name, name) }) {
                withheld.append(Withheld(name: name, value: value))
            }
        }
        for name in names { unsetenv(name) }
        if found, tg_disable_dumping() != 0 {
            Diagnostics.standardError.report("cannot make the process non-dumpable (PR_SET_DUMPABLE): \(String(cString: strerror(errno)))")
        }
        return found
    }

    /// The value of a secret variable: for one withheld, its value at start-up (nil when it was
    /// unset); for another, its value in the environment now.
    public static func value(of name: String) -> String? {
        if let entry = withheld.withLock({ $0.first { same($0.name, name) } }) { return entry.value }
        return getenv(name).map { String(cString: $0) }
    }

    /// Whether `name` names a secret: one of ``variables`` or a variable withheld (compared byte for byte).
    public static func isSecret(_ name: String) -> Bool {
        secretNames.contains { same($0, name) }
    }

    /// `environment` without the variables named in `secrets` (compared byte for byte).
    public static func filtered(_ environment: [String: String], withholding secrets: [String]) -> [String: String] {
        environment.filter { entry in !secrets.contains { same($0, entry.key) } }
    }

    /// The complete environment a child gets: `configured` without the secrets; with none
    /// configured, nil (Tollgate's own, as it is) when Tollgate's environment holds no secret,
    /// else Tollgate's without them.
    static func forChild(_ configured: [String: String]?) -> [String: String]? {
        let secrets = secretNames
        if let configured { return filtered(configured, withholding: secrets) }
        guard holds(secrets, in: environ) else { return nil }
        return filtered(FileIO.environment(), withholding: secrets)
    }

    /// ``variables`` and the variables withheld.
    private static var secretNames: [String] {
        variables + withheld.withLock { $0.map(\.name) }
    }

    /// Copies out the value of each of `names` from the `NAME=value` strings `block` lists (up to
    /// a null pointer; the first entry of a name, as `getenv` does) and overwrites the value of
    /// every entry of those names in place with NUL bytes. Returns the values in the order of `names`.
    static func take(_ names: [String], from block: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String?] {
        var values = [String?](repeating: nil, count: names.count)
        var entry = block
        while let pointer = entry, let string = pointer.pointee {
            for (index, name) in names.enumerated() {
                guard let value = Self.value(in: string, named: name) else { continue }
                let length = strlen(value)
                if values[index] == nil {
                    values[index] = String(decoding: UnsafeRawBufferPointer(start: value, count: length), as: UTF8.self)
                }
                memset(value, 0, length)
            }
            entry = pointer + 1
        }
        return values
    }

    /// Whether any entry of `block` names one of `names`.
    private static func holds(_ names: [String], in block: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Bool {
        var entry = block
        while let pointer = entry, let string = pointer.pointee {
            if names.contains(where: { value(in: string, named: $0) != nil }) { return true }
            entry = pointer + 1
        }
        return false
    }

    /// Where the value of a `NAME=value` string starts when it names `name`, else nil.
    private static func value(in string: UnsafeMutablePointer<CChar>, named name: String) -> UnsafeMutablePointer<CChar>? {
        var index = 0
        for byte in name.utf8 {
            guard UInt8(bitPattern: string[index]) == byte else { return nil }
            index += 1
        }
        return string[index] == CChar(UInt8(ascii: "=")) ? string + index + 1 : nil
    }

    /// Whether two variable names are the same bytes (not Swift's canonical equivalence).
    private static func same(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }
}
