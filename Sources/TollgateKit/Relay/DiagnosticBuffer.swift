/// Diagnostic lines waiting for stderr, at most ``capacity`` bytes of them: a line that does not
/// fit is dropped whole and counted, and the count is told in a line of its own after the lines
/// that were waiting when the drops began. Pure state; ``StandardErrorWriter`` does the writing.
struct DiagnosticBuffer: Sendable {
    /// The most bytes waiting at once.
    let capacity: Int
    /// The lines waiting, newlines included.
    private(set) var waiting: [UInt8] = []
    /// Lines dropped since the last ``take()``.
    private(set) var dropped = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Whether nothing is to be written.
    var isEmpty: Bool { waiting.isEmpty && dropped == 0 }

    /// Queues a whole line (newline included); false when it was dropped (the buffer is full).
    @discardableResult
    mutating func append(_ line: [UInt8]) -> Bool {
        guard waiting.count + line.count <= capacity else {
            dropped += 1
            return false
        }
        waiting += line
        return true
    }

    /// Takes what is to be written: the waiting lines, then, when lines were dropped since the
    /// last take, the line that counts them.
    mutating func take() -> [UInt8] {
        var bytes: [UInt8] = []
        swap(&bytes, &waiting)
        if dropped > 0 {
            bytes += Diagnostics.line(Self.dropNotice(dropped, capacity: capacity))
            dropped = 0
        }
        return bytes
    }

    /// The line that tells how many lines were dropped.
    static func dropNotice(_ count: Int, capacity: Int) -> String {
        "dropped \(count) diagnostic line\(count == 1 ? "" : "s"): stderr was not read fast enough (at most \(capacity / 1024) KiB wait for it)"
    }
}
