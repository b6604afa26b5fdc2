#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileIO {
    /// Replaces a file's content atomically: writes a temporary file beside it (with the old
    /// file's permissions), syncs it, and renames it over the old one, so a reader sees the old
    /// content or the new, never a mix.
    public static func replace(_ path: String, with bytes: [UInt8]) throws(FileError) {
        var info = stat()
        let mode: mode_t = stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0o644
        let temporary = "\(path).tollgate-\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileError(path: temporary, errno: errno) }
        let written = bytes.withUnsafeBytes { writeAll(fd, $0) }
        let failure = !written ? errno : (fsync(fd) != 0 ? errno : 0)
        close(fd)
        guard failure == 0, rename(temporary, path) == 0 else {
            let error = failure != 0 ? failure : errno
            unlink(temporary)
            throw FileError(path: path, errno: error)
        }
    }
}
