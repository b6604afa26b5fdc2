import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tmpfs of a few pages mounted on a fresh directory, for a disk that fills up; unmounted when
/// released. Mounting needs root (CAP_SYS_ADMIN): elsewhere it throws, and the test fails.
final class SmallFilesystem: Sendable {
    /// The mount point.
    let path: String
    private let directory: TemporaryDirectory

    init(_ label: String, kilobytes: Int) throws {
        directory = try TemporaryDirectory(label)
        path = directory.path("mnt")
        guard mkdir(path, 0o755) == 0 else { throw E2EError("mkdir \(path): \(String(cString: strerror(errno)))") }
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(kilobytes)k,mode=0755") == 0 else {
            throw E2EError("cannot mount a \(kilobytes) KiB tmpfs on \(path) (this test needs root): \(String(cString: strerror(errno)))")
        }
    }

    func path(_ name: String) -> String { path + "/" + name }

    /// Writes a file of `bytes` zeros (or as many as fit) named `name`; returns how many were written.
    @discardableResult
    func write(_ name: String, bytes: Int = .max) throws -> Int {
        let fd = open(path(name), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw E2EError("cannot create \(path(name)): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: 4096)
        var total = 0
        while total < bytes {
            let written = chunk.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, min(chunk.count, bytes - total)) }
            if written > 0 { total += written; continue }
            if written < 0 && errno == EINTR { continue }
            guard written < 0 && errno == ENOSPC else { throw E2EError("writing \(path(name)): \(String(cString: strerror(errno)))") }
            break
        }
        return total
    }

    /// Fills every page left with a file named `name`; returns its size.
    @discardableResult
    func fill(_ name: String = "filler") throws -> Int {
        try write(name)
    }

    deinit {
        if umount2(path, Int32(MNT_DETACH)) != 0 {
            FileHandle.standardError.write(Data("SmallFilesystem: cannot unmount \(path): \(String(cString: strerror(errno)))\n".utf8))
        }
    }
}
