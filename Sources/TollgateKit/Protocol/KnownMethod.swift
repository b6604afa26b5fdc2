/// The method names MCP defines, recognized from their bytes so that the relay does not decode
/// and validate a new string for every message.
enum KnownMethod {
    private static let names: [StaticString] = [
        "tools/call", "tools/list", "initialize", "notifications/initialized", "ping", "server/discover",
        "notifications/cancelled", "notifications/progress", "notifications/message",
        "notifications/tools/list_changed", "notifications/resources/list_changed",
        "notifications/resources/updated", "notifications/prompts/list_changed",
        "notifications/roots/list_changed", "resources/list", "resources/read",
        "resources/templates/list", "resources/subscribe", "resources/unsubscribe", "prompts/list",
        "prompts/get", "completion/complete", "logging/setLevel", "sampling/createMessage",
        "elicitation/create", "roots/list",
    ]

    /// The name spelled by `bytes` (unescaped), when it is one of MCP's.
    @inline(__always)
    static func name(of bytes: UnsafeRawBufferPointer) -> String? {
        // The two methods of nearly every exchange first, without a table walk.
        if bytes.count == 10, bytes[0] == UInt8(ascii: "t") {
            if matches(bytes, "tools/call") { return "tools/call" }
            if matches(bytes, "tools/list") { return "tools/list" }
        }
        for name in names where name.utf8CodeUnitCount == bytes.count && matches(bytes, name) {
            return name.description
        }
        return nil
    }

    @inline(__always)
    private static func matches(_ bytes: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        let count = name.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        return memcmp(bytes.baseAddress!, name.utf8Start, count) == 0
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
