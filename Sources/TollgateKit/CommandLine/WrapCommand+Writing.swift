#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a configuration file was not written.
struct ConfigWriteFailure: Error {
    var message: String
}

extension WrapCommand {
    /// How often the edit is made again on a file that changed while it was being edited.
    static let attempts = 5

    /// Writes `edit` of the file safely and returns the backup's path: the previous content is
    /// copied beside the file first (`FILE.tollgate-backup`, or `.2`, `.3`... when that exists),
    /// and the new content replaces the file atomically only if the file still holds what was
    /// read; if it changed (a client rewriting it), the edit is made again on the new content.
    static func write(_ path: String, read: [UInt8], edit: ([UInt8], SourceValue) -> [UInt8]) throws(ConfigWriteFailure) -> String {
        var basis = read
        for _ in 0..<attempts {
            guard let tree = try? SourceText(path: path, bytes: basis).parse() else {
                throw ConfigWriteFailure(message: "\(path): it is no longer JSON; left alone")
            }
            let changed = edit(basis, tree)
            let backup = try backUp(path, basis)
            let current: [UInt8]
            do throws(FileError) { current = try FileIO.read(path) } catch { throw ConfigWriteFailure(message: "\(error)") }
            guard current == basis else {
                unlink(backup)
                basis = current
                continue
            }
            do throws(FileError) { try FileIO.replace(path, with: changed) } catch { throw ConfigWriteFailure(message: "\(error)") }
            return backup
        }
        throw ConfigWriteFailure(message: "\(path): it kept changing while Tollgate edited it (\(attempts) times); left alone, try again when its client is idle")
    }

    /// Writes `bytes` to the first free backup name beside `path`.
    private static func backUp(_ path: String, _ bytes: [UInt8]) throws(ConfigWriteFailure) -> String {
        for number in 1...1000 {
            let backup = number == 1 ? "\(path).tollgate-backup" : "\(path).tollgate-backup.\(number)"
            let fd = open(backup, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd < 0 {
                if errno == EEXIST { continue }
                throw ConfigWriteFailure(message: "\(FileError(path: backup, errno: errno)): the file was not changed")
            }
            let written = bytes.withUnsafeBytes { writeAll(fd, $0) } && fsync(fd) == 0
            close(fd)
            guard written else { throw ConfigWriteFailure(message: "\(backup): cannot write the backup; the file was not changed") }
            return backup
        }
        throw ConfigWriteFailure(message: "\(path): 1000 backups exist beside it; remove some")
    }

    /// A manifest's file name for a server name: characters other than letters, digits, `.`,
    /// `_` and `-` become `_`, and a leading dot too.
    static func fileName(for server: String) -> String {
        var name = ""
        for scalar in server.unicodeScalars {
            let plain = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
                || scalar == "_" || scalar == "-" || (scalar == "." && !name.isEmpty)
            name.unicodeScalars.append(plain ? scalar : "_")
        }
        return (name.isEmpty ? "server" : name) + ".json"
    }

    /// `mkdir -p`.
    static func makeDirectories(_ path: String) {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if !FileIO.isDirectory(prefix) { mkdir(prefix, 0o755) }
        }
    }

    /// The lines that differ between two texts, as `-old` / `+new` pairs with line numbers (the
    /// wrap and unwrap edits never add or remove line breaks).
    static func lineDiff(_ old: [UInt8], _ new: [UInt8]) -> String {
        let before = old.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let after = new.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var diff = ""
        for index in 0..<max(before.count, after.count) {
            let was = index < before.count ? Array(before[index]) : nil
            let now = index < after.count ? Array(after[index]) : nil
            guard was != now else { continue }
            diff += "@@ line \(index + 1)\n"
            if let was { diff += "-" + String(decoding: was, as: UTF8.self) + "\n" }
            if let now { diff += "+" + String(decoding: now, as: UTF8.self) + "\n" }
        }
        return diff
    }
}
