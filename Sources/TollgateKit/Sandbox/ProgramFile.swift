#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a command's program is, as exec will find it, and what a script runs.
enum ProgramFile {
    /// The PATH a program is looked up in when its environment has none (as Tollgate's exec does).
    static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

    /// The file `command` runs: a path (from `workingDirectory`) when it holds a slash, else the
    /// first executable file of that name on `searchPath` (nil: ``defaultSearchPath``), whose
    /// relative entries start at `workingDirectory`. Nil when there is none.
    static func locate(_ command: String, searchPath: String? = nil, workingDirectory: String = FileIO.currentDirectory()) -> String? {
        guard !command.isEmpty else { return nil }
        if command.utf8.contains(UInt8(ascii: "/")) {
            let path = FileIO.absolute(command, base: workingDirectory)
            return FileIO.isExecutableFile(path) ? path : nil
        }
        for entry in (searchPath ?? defaultSearchPath).split(separator: ":", omittingEmptySubsequences: false) {
            let directory = FileIO.absolute(entry.isEmpty ? "." : String(entry), base: workingDirectory)
            let path = FileIO.absolute(command, base: directory)
            if FileIO.isExecutableFile(path) { return path }
        }
        return nil
    }

    /// The interpreter a script names on its `#!` line (`/usr/bin/env NAME` looked up on
    /// `searchPath`), or nil for a file without one.
    static func interpreter(ofScript path: String, searchPath: String? = nil) -> String? {
        guard !path.isEmpty else { return nil }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 2, buffer[0] == UInt8(ascii: "#"), buffer[1] == UInt8(ascii: "!") else { return nil }
        let line = buffer[2..<count].prefix { $0 != 0x0A }
        let words = line.split { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }.map { String(decoding: $0, as: UTF8.self) }
        guard let first = words.first else { return nil }
        if first.hasSuffix("/env"), let name = words.dropFirst().first(where: { !$0.hasPrefix("-") }) {
            return locate(name, searchPath: searchPath, workingDirectory: "/")
        }
        return first
    }
}
