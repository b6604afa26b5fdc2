/// One problem in a manifest: where (file, line, column, key path), and what was expected.
public struct ManifestIssue: Sendable, Equatable, CustomStringConvertible {
    /// The manifest file.
    public var file: String
    /// 1-based line, or 0 when the problem is the whole file.
    public var line: Int
    /// 1-based column.
    public var column: Int
    /// The key path (`tools.echo.allow`), empty for the document.
    public var path: String
    /// What is wrong and what is expected.
    public var message: String

    public var description: String {
        let place = line > 0 ? "\(file):\(line):\(column)" : file
        return path.isEmpty ? "\(place): \(message)" : "\(place): \(path): \(message)"
    }
}

/// A manifest Tollgate refuses to use, with every problem found.
public struct ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every problem, in file order.
    public var issues: [ManifestIssue]

    public init(_ issues: [ManifestIssue]) { self.issues = issues }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
