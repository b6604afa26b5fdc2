#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the file at a log's path as it grows, like `tail -F`: the lines appended since the last
/// read; when the path comes to name another file (the writer rotated the log to `PATH.1`, or it
/// was replaced), the rest of the old file, then the new one from its start. A file that was cut
/// shorter is read again from its start, with a note.
struct AuditLogTail {
    /// A complete line (without its newline) and where it is.
    struct Line {
        var bytes: [UInt8]
        var file: String
        var number: Int
    }

    /// The log's path.
    let path: String
    private var fd: Int32 = -1
    private var identity: AuditFile.Identity?
    private var offset = 0
    /// The lines read, and the bytes after the last newline.
    private var splitter = AuditLineSplitter()

    /// The longest line kept while it is incomplete; past it the line is dropped, with a note.
    static let maxLineBytes = 1 << 28

    init(path: String) { self.path = path }

    /// The identity of the file read now (nil before it exists).
    var file: AuditFile.Identity? { identity }

    /// Closes the file read.
    mutating func closeFile() {
        if fd >= 0 { _ = close(fd) }
        fd = -1
        identity = nil
    }

    /// What was appended since the last read (everything, the first time), following a rotation;
    /// notes for stderr say what was unusual (a file cut shorter, a line dropped).
    mutating func read() -> (lines: [Line], notes: [String]) {
        var lines: [Line] = []
        var notes: [String] = []
        if fd < 0, !openFile() { return ([], []) }
        readAvailable(into: &lines, notes: &notes)
        let current = AuditLogFiles.identity(of: path)
        if let current, current != identity {
            // Rotated or replaced: what the old file got last, then the new one from its start.
            readAvailable(into: &lines, notes: &notes)
            if !splitter.partial.isEmpty { notes.append("\(path): the file rotated away ends in an incomplete line (\(splitter.partial.count) bytes); skipped") }
            closeFile()
            if openFile() { readAvailable(into: &lines, notes: &notes) }
        }
        return (lines, notes)
    }

    /// Opens the file the path names now, to read it from its start.
    private mutating func openFile() -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            _ = close(descriptor)
            return false
        }
        fd = descriptor
        identity = AuditFile.Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        offset = 0
        splitter.reset()
        return true
    }

    /// Reads from ``offset`` to the end of the open file and splits off the complete lines.
    private mutating func readAvailable(into read: inout [Line], notes: inout [String]) {
        var status = stat()
        if fstat(fd, &status) == 0, Int(status.st_size) < offset {
            notes.append("\(path) was cut from \(offset) to \(Int(status.st_size)) bytes: records were removed; reading it again from its start")
            offset = 0
            splitter.reset()
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            offset += count
            splitter.split(chunk[..<count]) { bytes, number in read.append(Line(bytes: bytes, file: path, number: number)) }
            if splitter.partial.count > Self.maxLineBytes {
                notes.append("\(path): a line longer than \(Self.maxLineBytes >> 20) MiB; skipped")
                splitter.dropPartial()
            }
        }
    }
}
