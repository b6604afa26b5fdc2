/// Splits bytes read a chunk at a time into lines (without their newlines), keeping what follows
/// the last newline for the next chunk; lines are numbered from 1.
struct AuditLineSplitter {
    /// The bytes after the last newline.
    private(set) var partial: [UInt8] = []
    /// The lines split so far.
    private(set) var count = 0

    /// Calls `body` with each line `chunk` completes and its number.
    mutating func split(_ chunk: ArraySlice<UInt8>, _ body: ([UInt8], Int) -> Void) {
        var start = chunk.startIndex
        while let newline = chunk[start...].firstIndex(of: 0x0A) {
            count += 1
            if partial.isEmpty {
                body(Array(chunk[start..<newline]), count)
            } else {
                partial.append(contentsOf: chunk[start..<newline])
                body(partial, count)
                partial = []
            }
            start = newline + 1
        }
        partial.append(contentsOf: chunk[start...])
    }

    /// Passes over the incomplete line (it counts as a line).
    mutating func dropPartial() {
        partial = []
        count += 1
    }

    /// Starts again, as for a file read from its start.
    mutating func reset() {
        partial = []
        count = 0
    }
}
