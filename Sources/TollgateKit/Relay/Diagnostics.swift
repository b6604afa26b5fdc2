/// Where Tollgate's diagnostics go: one line per message on stderr (stdout belongs to the protocol).
public struct Diagnostics: Sendable {
    private let sink: @Sendable (String) -> Void
    private let writer: StandardErrorWriter?

    /// The most bytes of one line (longer messages are cut, so a peer's long names cannot make
    /// lines of megabytes).
    public static let maxLineBytes = 4096

    /// Diagnostics written to stderr as `tollgate: message`: at once until the relay runs, then
    /// by a thread of its own (see ``writeInBackground()``).
    public static let standardError = Diagnostics(writer: .shared)

    /// Diagnostics that go nowhere.
    public static let silent = Diagnostics { _ in }

    /// Diagnostics sent to a closure (for tests).
    public init(_ sink: @escaping @Sendable (String) -> Void) {
        self.sink = sink
        writer = nil
    }

    private init(writer: StandardErrorWriter) {
        self.writer = writer
        sink = { message in writer.write(Diagnostics.line(message)) }
    }

    /// Reports one line, as a warning (see ``LogLevel``).
    public func report(_ message: String) { report(message, level: .warning) }

    /// Reports one line when `level` is within ``LogLevel/threshold``.
    public func report(_ message: String, level: LogLevel) {
        if level <= LogLevel.threshold { sink(message) }
    }

    /// Reports lines that tell of answers about to be written, so that stderr tells of an answer
    /// by the time the client has it: while stderr keeps up, the lines are written before this
    /// returns (a bounded wait); while it does not, they are only queued (see
    /// ``writeInBackground()``). They are warnings (see ``LogLevel``).
    public func report(_ messages: [String]) {
        guard !messages.isEmpty, LogLevel.warning <= LogLevel.threshold else { return }
        for message in messages { sink(message) }
        writer?.awaitWritten(timeoutMilliseconds: Self.keepUpMilliseconds)
    }

    /// How long a relay thread waits for its lines to reach stderr before it stops waiting (until
    /// stderr has caught up with everything queued).
    static let keepUpMilliseconds: Int64 = 50

    /// From now on, stderr is written by a thread of its own with a bounded buffer, so a host
    /// that does not read it cannot stall the relay (lines that do not fit are dropped and
    /// counted). The relays call this once their signals are blocked; no-op for other sinks.
    public func writeInBackground() { writer?.start() }

    /// Waits at most `timeoutMilliseconds` for buffered stderr lines to be written (at exit).
    public static func flushStandardError(timeoutMilliseconds: Int64 = 1000) {
        StandardErrorWriter.shared.flush(timeoutMilliseconds: timeoutMilliseconds)
    }

    /// `tollgate: message` and a newline, the message cut to at most ``maxLineBytes`` bytes in all
    /// (at a character boundary, saying how much was cut).
    static func line(_ message: String) -> [UInt8] {
        var line = Array("tollgate: ".utf8)
        let utf8 = message.utf8
        let room = maxLineBytes - line.count - 1
        if utf8.count <= room {
            line += utf8
        } else {
            let notice = 32
            var cut = room - notice
            let bytes = Array(utf8.prefix(cut + 1))
            // Back off continuation bytes so the line stays valid UTF-8.
            while cut > 0 && bytes[cut] & 0xC0 == 0x80 { cut -= 1 }
            line += bytes[..<cut]
            line += Array(" … (\(utf8.count - cut) bytes cut)".utf8)
        }
        line.append(0x0A)
        return line
    }
}
