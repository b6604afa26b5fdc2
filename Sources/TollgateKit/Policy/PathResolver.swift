#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes paths canonical for ``PathWithin``: absolute, no `.`/`..`/empty components, symbolic links
/// of existing components replaced by their targets, missing components kept as written.
enum PathResolver {
    /// Why a path could not be made canonical.
    enum Problem: Error, Equatable {
        case empty
        case nulByte
        case tooLong
        case tooManyLinks

        /// Finishes "the path …" / "the directory …" for messages.
        var message: String {
            switch self {
            case .empty: "must be a non-empty path"
            case .nulByte: "must be a path without NUL characters"
            case .tooLong: "must be a path of at most \(PathWithin.maxLength) bytes"
            case .tooManyLinks: "must be a path without a loop of symbolic links (more than \(maxLinks) followed)"
            }
        }
    }

    /// How many symbolic links one resolution follows at most (Linux's limit).
    static let maxLinks = 40

    /// The canonical form of `path` (relative paths start at `workingDirectory`).
    static func resolve(_ path: String, workingDirectory: String) -> Result<[UInt8], Problem> {
        let bytes = Array(path.utf8)
        if bytes.isEmpty { return .failure(.empty) }
        if bytes.contains(0) { return .failure(.nulByte) }
        if bytes.count > PathWithin.maxLength { return .failure(.tooLong) }
        var pending: [ArraySlice<UInt8>] = []
        push(bytes, onto: &pending)
        if bytes[0] != UInt8(ascii: "/") { push(Array(workingDirectory.utf8), onto: &pending) }
        // `resolved` is "" for the root, else "/a/b"; `ends` holds where each component ends.
        var resolved: [UInt8] = []
        var ends: [Int] = []
        var links = 0
        while let component = pending.popLast() {
            if component.isEmpty || component.elementsEqual([UInt8(ascii: ".")]) { continue }
            if component.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                if ends.popLast() != nil { resolved.removeSubrange((ends.last ?? 0)...) }
                continue
            }
            let start = resolved.count
            resolved.append(UInt8(ascii: "/"))
            resolved.append(contentsOf: component)
            if resolved.count > 2 * PathWithin.maxLength { return .failure(.tooLong) }
            guard let target = linkTarget(resolved) else {
                ends.append(resolved.count)
                continue
            }
            links += 1
            if links > maxLinks { return .failure(.tooManyLinks) }
            resolved.removeSubrange(start...)
            if target.first == UInt8(ascii: "/") {
                resolved.removeAll()
                ends.removeAll()
            }
            push(target, onto: &pending)
        }
        return .success(resolved.isEmpty ? [UInt8(ascii: "/")] : resolved)
    }

    /// Pushes the components of `path` so the first one is popped first.
    private static func push(_ path: [UInt8], onto pending: inout [ArraySlice<UInt8>]) {
        pending.append(contentsOf: path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).reversed())
    }

    /// The target of the symbolic link at `path`, or nil if `path` is not a link (or does not exist).
    private static func linkTarget(_ path: [UInt8]) -> [UInt8]? {
        var cPath = path
        cPath.append(0)
        return cPath.withUnsafeBufferPointer { buffer -> [UInt8]? in
            buffer.withMemoryRebound(to: CChar.self) { cString -> [UInt8]? in
                var info = stat()
                guard lstat(cString.baseAddress!, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return nil }
                let capacity = Int(PATH_MAX) + 1
                return withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { target -> [UInt8]? in
                    let count = readlink(cString.baseAddress!, target.baseAddress!, capacity)
                    guard count > 0, count < capacity else { return nil }
                    return UnsafeRawBufferPointer(start: target.baseAddress!, count: count).map { $0 }
                }
            }
        }
    }
}
