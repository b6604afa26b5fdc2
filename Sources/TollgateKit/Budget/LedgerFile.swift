#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system calls of a ledger: the append-only data file and its sibling lock file
/// (`PATH.lock`, never replaced, so every process locks the same one even after compaction
/// renames a new data file over `PATH`; see ``LedgerLock``).
struct LedgerFile: ~Copyable {
    let path: String
    let lockPath: String
    private(set) var fd: Int32
    /// The data file's identity (of the file open now).
    private(set) var device: UInt64
    private(set) var inode: UInt64
    /// The writers' lock (nil when opened for reading only: readers take no lock).
    private let writers: LedgerLock?
    /// Tells when the data file was removed, renamed or replaced from outside.
    let watch: FileWatch?

    /// Opens (creating if needed) the ledger and its lock file; `readOnly` opens the data file
    /// for reading only, does not create it, and takes no lock.
    init(path: String, readOnly: Bool = false) throws(LedgerError) {
        let lockPath = path + ".lock"
        let (fd, info) = try Self.openData(path, readOnly: readOnly)
        do throws(LedgerError) {
            // The lock file gets the ledger's permissions: whoever may write the ledger may lock it.
            writers = readOnly ? nil : try LedgerLock(path: lockPath, mode: info.st_mode & 0o666)
        } catch {
            close(fd)
            throw error
        }
        self.path = path
        self.lockPath = lockPath
        self.fd = fd
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        watch = readOnly ? nil : FileWatch()
        watch?.watch(path)
    }

    deinit {
        watch?.stop()
        close(fd)
    }

    /// Takes the writers' lock (waiting for another writer) and returns where the ledger stands
    /// as the last writer left it, when that is known.
    func lock() throws(LedgerError) -> LedgerLock.Position? {
        guard let writers else { throw LedgerError(path: path, message: "opened for reading only") }
        return try writers.acquire()
    }

    /// Releases the writers' lock, storing that the file open here ends at `size` (nil: unknown,
    /// so that the next writer looks at the file).
    func unlock(size: Int64?) {
        writers?.release(storing: size.map { LedgerLock.Position(device: device, inode: inode, size: $0) })
    }

    /// Takes the `flock` that writers of ledger format 1 locked with (on the lock file at
    /// `path`), waiting for one that holds it; returns its descriptor for ``releaseFormerLock(_:)``.
    static func takeFormerLock(path: String) throws(LedgerError) -> Int32 {
        let lockFD = open(path, O_RDWR | O_CLOEXEC)
        guard lockFD >= 0 else { throw .system(path, "open") }
        while flock(lockFD, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let error = LedgerError.system(path, "flock")
                close(lockFD)
                throw error
            }
        }
        return lockFD
    }

    /// Releases the `flock` of ``takeFormerLock(path:)``.
    static func releaseFormerLock(_ lockFD: Int32) {
        _ = flock(lockFD, LOCK_UN)
        close(lockFD)
    }

    /// The data file's size and identity.
    func status() throws(LedgerError) -> (size: Int64, device: UInt64, inode: UInt64) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(path, "fstat") }
        return (Int64(info.st_size), UInt64(info.st_dev), UInt64(info.st_ino))
    }

    /// Reads `count` bytes at `offset` into `buffer` (replacing its contents).
    func read(at offset: Int64, count: Int, into buffer: inout [UInt8]) throws(LedgerError) {
        try Self.read(fd, path: path, at: offset, count: count, into: &buffer)
    }

    /// Reads `count` bytes at `offset` of `fd` (the ledger at `path`) into `buffer`.
    static func read(_ fd: Int32, path: String, at offset: Int64, count: Int, into buffer: inout [UInt8]) throws(LedgerError) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: repeatElement(0, count: count))
        var done = 0
        let failed = buffer.withUnsafeMutableBytes { raw -> Bool in
            while done < count {
                let n = pread(fd, raw.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return n < 0 }
                done += n
            }
            return false
        }
        if failed { throw .system(path, "read") }
        buffer.removeLast(count - done)
    }

    /// Appends `bytes` (one or more whole records) at the end. On failure the file is cut back
    /// to `end` (its size before), so no partial record stays behind, and the error is thrown.
    func append(_ bytes: [UInt8], end: Int64) throws(LedgerError) {
        var done = 0
        var code: Int32 = 0
        bytes.withUnsafeBytes { raw in
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { code = n < 0 ? errno : EIO; return }
                done += n
            }
        }
        if code != 0 {
            _ = ftruncate(fd, off_t(end))
            throw .system(path, "write", code)
        }
    }

    /// Cuts the file to `size` (drops a torn last line).
    func truncate(to size: Int64) throws(LedgerError) {
        guard ftruncate(fd, off_t(size)) == 0 else { throw .system(path, "ftruncate") }
    }

    /// Forces the data (and the size) to the disk.
    func sync() throws(LedgerError) {
        guard Self.syncData(fd) == 0 else { throw .system(path, "fdatasync") }
    }

    /// `fdatasync` (`fsync` where that is missing) on `descriptor`.
    static func syncData(_ descriptor: Int32) -> Int32 {
        #if canImport(Darwin)
        fsync(descriptor)
        #else
        fdatasync(descriptor)
        #endif
    }

    /// Opens `path` again (after another process renamed a compacted file over it).
    mutating func reopen() throws(LedgerError) {
        let (fresh, info) = try Self.openData(path, readOnly: false)
        close(fd)
        fd = fresh
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        watch?.watch(path)
    }

    /// Opens the data file at `path` (for appending, created if needed, unless `readOnly`) and
    /// returns its descriptor and status.
    private static func openData(_ path: String, readOnly: Bool) throws(LedgerError) -> (Int32, stat) {
        let fd = readOnly ? open(path, O_RDONLY | O_CLOEXEC) : open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .system(path, "open") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = LedgerError.system(path, "fstat")
            close(fd)
            throw error
        }
        return (fd, info)
    }

    /// The identity of whatever file is at `path` now.
    func identityAtPath() throws(LedgerError) -> (device: UInt64, inode: UInt64) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .system(path, "stat") }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    /// The compacted file being written for the ledger at `path`.
    static func compactedPath(for path: String) -> String { path + ".compact" }

    /// Writes `bytes` to a new `PATH.compact` and syncs it (no lock needed: only the one
    /// compacting writes it).
    static func writeCompacted(_ bytes: [UInt8], for path: String) throws(LedgerError) {
        try writeCompacted(bytes, for: path, flags: O_TRUNC, sync: true)
    }

    /// Appends `bytes` to `PATH.compact`, synced when `sync`.
    static func appendCompacted(_ bytes: [UInt8], for path: String, sync: Bool) throws(LedgerError) {
        try writeCompacted(bytes, for: path, flags: O_APPEND, sync: sync)
    }

    private static func writeCompacted(_ bytes: [UInt8], for path: String, flags: Int32, sync: Bool) throws(LedgerError) {
        let temporary = compactedPath(for: path)
        let out = open(temporary, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0o644)
        guard out >= 0 else { throw .system(temporary, "open") }
        var failure: LedgerError?
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(out, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { failure = .system(temporary, "write", n < 0 ? errno : EIO); return }
                done += n
            }
        }
        if failure == nil && sync && syncData(out) != 0 { failure = .system(temporary, "fsync") }
        close(out)
        if let failure {
            unlink(temporary)
            throw failure
        }
    }

    /// Renames `PATH.compact` over `path` (atomic on POSIX file systems: readers see the old file
    /// or the new one, never a mix).
    static func installCompacted(for path: String) throws(LedgerError) {
        let temporary = compactedPath(for: path)
        guard rename(temporary, path) == 0 else {
            let error = LedgerError.system(path, "rename")
            unlink(temporary)
            throw error
        }
    }

    /// Syncs the directory of `path` (after a rename in it).
    static func syncDirectory(of path: String) {
        let directory = open(FileIO.directory(of: path), O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }
}
