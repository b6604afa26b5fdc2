/// The audit key (`TOLLGATE_AUDIT_KEY`) that makes the chain an HMAC-SHA-256 chain, so that
/// whoever can write the log file cannot forge records without also holding the key.
///
/// The variable's value is read as hex when it is entirely hex digits, of even length and at
/// least 32 digits (16 bytes or more, e.g. from `openssl rand -hex 32`); otherwise its UTF-8
/// bytes are the key as written (a passphrase). An empty value is no key. Keys shorter than
/// 16 bytes are accepted but weak.
public enum AuditKey {
    /// The environment variable that holds the key.
    public static let environmentVariable = "TOLLGATE_AUDIT_KEY"

    /// The key bytes of a variable's value, or nil when it is empty.
    public static func parse(_ value: String) -> [UInt8]? {
        guard !value.isEmpty else { return nil }
        if value.utf8.count >= 32, let bytes = Hex.decode(value) { return bytes }
        return Array(value.utf8)
    }

    /// The key from an environment, or nil when the variable is unset or empty.
    public static func fromEnvironment(_ environment: [String: String]) -> [UInt8]? {
        environment[environmentVariable].flatMap(parse)
    }

    /// This process's key: the value the variable had when Tollgate started and took it out of
    /// its environment (see ``SecretEnvironment``), or nil when it was unset or empty.
    public static func current() -> [UInt8]? {
        SecretEnvironment.value(of: environmentVariable).flatMap(parse)
    }
}
