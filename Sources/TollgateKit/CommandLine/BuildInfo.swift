import CTollgateSupport

/// What `tollgate --version` reports: the version, and the commit scripts/install baked in.
enum BuildInfo {
    /// The commit the binary was built from (`git describe`-style hash), or nil for a plain `swift build`.
    static var commit: String? {
        guard let text = tg_build_commit() else { return nil }
        let commit = String(cString: text)
        return commit.isEmpty ? nil : commit
    }

    /// `tollgate 0.1.0 (commit 1a2b3c4d5e6f)`, or `(unknown commit)` when none was baked in.
    static var versionLine: String {
        "tollgate \(Usage.version) (\(commit.map { "commit \($0)" } ?? "unknown commit"))"
    }
}
