/// `tollgate enforce MANIFEST`: prints the would-be denials its audit log recorded in monitor
/// mode, then switches the manifest's `policy.mode` to enforce (the rest of the file unchanged).
struct EnforceCommand {
    let manifestPath: String

    func run() throws(CommandFailure) -> Int32 {
        let manifest = try loadManifest(manifestPath, consequence: "nothing was changed")
        guard manifest.policy.mode == .monitor else {
            print("\(manifestPath): already in enforce mode")
            return 0
        }
        print(Self.wouldBeDenials(of: manifest), terminator: "")
        let source: SourceText
        let root: SourceValue
        do throws(FileError) {
            source = SourceText(path: manifestPath, bytes: try FileIO.read(manifestPath))
        } catch {
            throw CommandFailure.failed("enforce: \(error)")
        }
        do throws(JSONScanError) { root = try source.parse() } catch {
            throw CommandFailure.unusable("enforce: \(manifestPath): \(error)")
        }
        guard let bytes = ManifestModeEditor.setting(.enforce, in: source, root: root) else {
            throw CommandFailure.failed("enforce: \(manifestPath): policy.mode is not written in the file; set it to \"enforce\" by hand")
        }
        do throws(FileError) { try FileIO.replace(manifestPath, with: bytes) } catch {
            throw CommandFailure.failed("enforce: \(error)")
        }
        print("\(manifestPath): policy.mode is now enforce (a running Tollgate applies it on SIGHUP, with --watch, or when its client restarts it)")
        return 0
    }

    /// The would-be denials in the manifest's audit log, per tool, or why there are none to show.
    static func wouldBeDenials(of manifest: Manifest) -> String {
        guard let audit = manifest.audit else { return "no audit log in this manifest: the would-be denials were only on stderr\n" }
        guard FileIO.exists(audit.path), let summary = try? AuditSummary.read(files: [audit.path]) else {
            return "no audit log at \(audit.path) yet: nothing was recorded\n"
        }
        let denied = summary.rows.filter { $0.wouldDeny > 0 }
        guard !denied.isEmpty else { return "\(audit.path): no would-be denials in \(summary.totals.allowed + summary.totals.wouldDeny) recorded calls\n" }
        var text = "would-be denials in \(audit.path) (these calls will be denied from now on):\n"
        for row in denied {
            let codes = row.wouldDenyByCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            text += "  \(row.tool): \(row.wouldDeny) (\(codes))\n"
        }
        return text
    }
}
