import CTollgateSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system calls of the audit writer on one open descriptor: the file is opened
/// `O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC` (mode 0600), locked with `flock`, read backwards from
/// its end to find the last record's hash, and written one record per `write`.
struct AuditFile {
    /// Which file a descriptor or path refers to.
    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    let path: String
    let fd: Int32

    /// Opens (creating if needed) the file for appending.
    static func openForAppending(_ path: String) throws(AuditError) -> AuditFile {
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .system(.open, path: path, errno: errno) }
        return AuditFile(path: path, fd: fd)
    }

    func closeDescriptor() { _ = close(fd) }

    /// Takes the exclusive `flock` (waits for other writers).
    func lock() throws(AuditError) {
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw .system(.lock, path: path, errno: errno) }
        }
    }

    func unlock() { _ = flock(fd, LOCK_UN) }

    /// The identity and size of the open file.
    func status() throws(AuditError) -> (Identity, Int) {
        let status = try fullStatus()
        return (status.identity, status.size)
    }

    /// What `fstat` tells of the open file.
    struct Status {
        var identity: Identity
        var size: Int
        /// `st_mode & 0o777`.
        var permissions: UInt32
        /// `st_nlink`: 0 once the file was removed.
        var links: Int
    }

    /// The identity, size, permissions and link count of the open file: one `statx` that leaves out
    /// the timestamps (asking for them would make every following write update the inode, see
    /// `tg_file_status`), or `fstat` where that is missing.
    func fullStatus() throws(AuditError) -> Status {
        var info = tg_file_status_t()
        guard tg_file_status(fd, &info) == 0 else { throw .system(.stat, path: path, errno: errno) }
        return Status(identity: Identity(device: info.device, inode: info.inode), size: Int(info.size),
                      permissions: info.mode & 0o777, links: Int(info.links))
    }

    /// Marks a file that was just rotated away as retired: its write permission bits are removed,
    /// so that nothing appends to it by mistake.
    func retire() {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return }
        _ = fchmod(fd, mode_t(UInt32(info.st_mode) & 0o777 & ~0o222))
    }

    /// The identity of whatever file `path` names now (nil when it does not exist).
    static func identity(of path: String) throws(AuditError) -> Identity? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw .system(.stat, path: path, errno: errno)
        }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// Writes `bytes` in one `write`. A short write is undone (the file is cut back by what was
    /// written, from its size after the write) and thrown, so no partial record stays behind.
    func writeRecord(_ bytes: [UInt8]) throws(AuditError) {
        var written: Int
        repeat {
            written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        } while written < 0 && errno == EINTR
        guard written != bytes.count else { return }
        let code = written < 0 ? errno : ENOSPC
        if written > 0, let size = try? status().1, size >= written { _ = ftruncate(fd, off_t(size - written)) }
        throw .system(.write, path: path, errno: code)
    }

    /// Flushes the file's data to stable storage (`fdatasync`; `fsync` where that is missing).
    func sync() throws(AuditError) {
        guard Self.syncData(fd) == 0 else { throw .system(.sync, path: path, errno: errno) }
    }

    /// `fdatasync` on Linux, `fsync` elsewhere.
    static func syncData(_ fd: Int32) -> Int32 {
        #if os(Linux)
        fdatasync(fd)
        #else
        fsync(fd)
        #endif
    }

    // MARK: - The last record

    /// What the end of the file holds.
    struct Tail: Equatable {
        /// The `hash` of the last complete record, or nil when the file holds no complete line.
        var hash: String?
        /// The `seq` of the last complete record (0 when there is none).
        var seq: Int
        /// Whether the file ends in a partial line (a write cut short): the next record must start with a newline.
        var needsNewline: Bool
    }

    /// Reads backwards from the end of a file of `size` bytes to the last complete line and takes
    /// its `hash`, which ``AuditRecord/line(canonical:hash:)`` always writes last, and its `seq`.
    func tail(size: Int) throws(AuditError) -> Tail {
        guard size > 0 else { return Tail(hash: nil, seq: 0, needsNewline: false) }
        let needsNewline = try endsInPartialLine(size: size)
        var end = size - 1
        if needsNewline {
            guard let newline = try lastNewline(before: size - 1) else { return Tail(hash: nil, seq: 0, needsNewline: true) }
            end = newline
        }
        let suffixCount = 75
        guard end >= suffixCount else { throw .corruptTail(path: path) }
        guard let hash = Self.hash(inSuffix: try read(at: end - suffixCount, count: suffixCount)) else {
            throw .corruptTail(path: path)
        }
        let start = try lastNewline(before: end).map { $0 + 1 } ?? 0
        guard let seq = Self.seq(inLine: try read(at: start, count: end - start)) else { throw .corruptTail(path: path) }
        return Tail(hash: hash, seq: seq, needsNewline: needsNewline)
    }

    /// The `seq` of a record line, or nil when the line is not a JSON object with a whole `seq`.
    static func seq(inLine line: [UInt8]) -> Int? {
        let parsed = line.withUnsafeBytes { buffer in try? JSONValue.parse(buffer) }
        return parsed?.objectValue.flatMap { AuditRecord($0).seq }
    }

    /// Whether a file of `size` bytes ends without a newline.
    func endsInPartialLine(size: Int) throws(AuditError) -> Bool {
        size > 0 ? try read(at: size - 1, count: 1) != [0x0A] : false
    }

    /// The hash in the last 75 bytes of a record line (without its newline): `,"hash":"<64 hex>"}`.
    static func hash(inSuffix suffix: [UInt8]) -> String? {
        let prefix = Array(#","hash":""#.utf8)
        guard suffix.count == prefix.count + 66, Array(suffix[..<prefix.count]) == prefix,
              suffix[suffix.count - 2] == UInt8(ascii: "\""), suffix[suffix.count - 1] == UInt8(ascii: "}")
        else { return nil }
        let hash = String(decoding: suffix[prefix.count..<(prefix.count + 64)], as: UTF8.self)
        return Hex.isLowercase(hash, count: 64) ? hash : nil
    }

    /// Cuts a torn record off the end of the file: when the file ends in a partial line past
    /// `start` (where a writer that then died began writing), it is truncated to the last newline
    /// at or after `start - 1`, or to `start`. Bytes before `start` are never cut.
    func cutTornRecord(after start: Int) throws(AuditError) {
        let size = try status().1
        guard size > start, try endsInPartialLine(size: size) else { return }
        var end = start
        if let newline = try lastNewline(before: size - 1), newline >= start { end = newline + 1 }
        guard ftruncate(fd, off_t(end)) == 0 else { throw .system(.write, path: path, errno: errno) }
    }

    /// The offset of the last newline before `offset`, reading backwards in 64 KiB steps.
    private func lastNewline(before offset: Int) throws(AuditError) -> Int? {
        var end = offset
        while end > 0 {
            let start = max(0, end - (64 << 10))
            let chunk = try read(at: start, count: end - start)
            if let index = chunk.lastIndex(of: 0x0A) { return start + index }
            end = start
        }
        return nil
    }

    private func read(at offset: Int, count: Int) throws(AuditError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .system(.read, path: path, errno: n < 0 ? errno : EIO) }
            done += n
        }
        return bytes
    }

    /// The tail of a file that is not open (a rotated file), or nil when it does not exist.
    static func tail(ofClosed path: String) throws(AuditError) -> Tail? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .system(.open, path: path, errno: errno)
        }
        let file = AuditFile(path: path, fd: fd)
        defer { file.closeDescriptor() }
        return try file.tail(size: try file.status().1)
    }
}
