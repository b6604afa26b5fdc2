#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where Tollgate's diagnostics go: one line per message on stderr (stdout belongs to the protocol).
public struct Diagnostics: Sendable {
    private let sink: @Sendable (String) -> Void

    /// Diagnostics written to stderr as `tollgate: message`.
    public static let standardError = Diagnostics { message in
        var line = Array("tollgate: \(message)\n".utf8)
        line.withUnsafeMutableBytes { _ = writeAll(2, UnsafeRawBufferPointer($0)) }
    }

    /// Diagnostics that go nowhere.
    public static let silent = Diagnostics { _ in }

    /// Diagnostics sent to a closure (for tests).
    public init(_ sink: @escaping @Sendable (String) -> Void) { self.sink = sink }

    /// Reports one line, as a warning (see ``LogLevel``).
    public func report(_ message: String) { report(message, level: .warning) }

    /// Reports one line when `level` is within ``LogLevel/threshold``.
    public func report(_ message: String, level: LogLevel) {
        if level <= LogLevel.threshold { sink(message) }
    }
}
