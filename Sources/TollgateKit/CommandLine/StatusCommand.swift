/// `tollgate status [--client CLIENT]`: which entries of the client's files are behind Tollgate,
/// under which manifest and mode, and what their audit logs recorded in the last 24 hours.
struct StatusCommand {
    let client: String

    func run() throws(CommandFailure) -> Int32 {
        for file in try Self.files(of: client) {
            guard let bytes = try? FileIO.read(file.path), let root = try? SourceText(path: file.path, bytes: bytes).parse() else {
                print("\(file.path): cannot be read as JSON")
                continue
            }
            print("\(file.path):")
            for entry in ClientConfigEditor.entries(in: root) {
                print("  \(entry.path.joined(separator: ".")): \(describe(entry, in: file))")
            }
        }
        return 0
    }

    /// The configuration files of `client` (for `status`, `wrap` and `unwrap`), or why there are none.
    static func files(of client: String) throws(CommandFailure) -> [ClientFile] {
        let files = ClientFile.files(for: client)
        guard !files.isEmpty else {
            throw CommandFailure.failed("no configuration of \(client) here: neither ./.mcp.json nor ~/.claude.json exists")
        }
        return files
    }

    private func describe(_ entry: ClientConfigEditor.Entry, in file: ClientFile) -> String {
        switch entry.state {
        case .direct: return "not behind Tollgate (tollgate wrap)"
        case .remote: return "remote (url), not wrapped"
        case .unusable(let reason): return "not a stdio server: \(reason)"
        case .wrapped(let path, _):
            let base = entry.workingDirectory ?? (file.isProject ? FileIO.directory(of: file.path) : FileIO.currentDirectory())
            let manifestPath = FileIO.absolute(path, base: base)
            guard let manifest = try? ManifestLoader.load(path: manifestPath) else { return "behind Tollgate, manifest \(path) does not load (tollgate check \(manifestPath))" }
            var text = "behind Tollgate, manifest \(path), \(manifest.policy.mode.rawValue) mode"
            if let audit = manifest.audit, let totals = Self.lastDay(of: audit.path) {
                text += "; last 24 h: \(totals.allowed) allowed, \(totals.denied) denied, \(totals.wouldDeny) would-be denied"
            }
            return text
        }
    }

    /// The totals of the audit log's records of the last 24 hours (its current file; rotated
    /// files are not read), or nil when it cannot be read.
    static func lastDay(of path: String, now: AuditTimestamp = .now()) -> AuditSummary.Row? {
        guard let bytes = try? FileIO.read(path) else { return nil }
        // RFC 3339 in one fixed format: byte order is time order.
        let cutoff = Array(AuditTimestamp(seconds: now.seconds - 86_400, microseconds: now.microseconds).rfc3339.utf8)
        var records: [JSONObject] = []
        for line in bytes.split(separator: 0x0A) {
            guard let record = line.withUnsafeBytes({ try? JSONValue.parse($0) })?.objectValue,
                  let time = record[AuditRecord.Field.time]?.stringValue, !Array(time.utf8).lexicographicallyPrecedes(cutoff) else { continue }
            records.append(record)
        }
        return AuditSummary(records: records).totals
    }
}
