/// `tollgate pin --manifest FILE [-- COMMAND...]`: after a reviewed server upgrade, lists the
/// server's tools and rewrites the `"pin"` of every exact rule in the manifest file to the
/// definitions listed now (see ``ManifestPinEditor``). The server is COMMAND, or the one the
/// manifest names.
struct PinCommand {
    let manifestPath: String
    let serverCommand: [String]

    func run() throws -> Int32 {
        let manifest = try loadManifest(manifestPath, consequence: "no pin was written")
        var configuration = ChildProcess.Configuration(arguments: serverCommand)
        if serverCommand.isEmpty {
            guard let server = manifest.defaultServer else {
                throw CommandFailure.unusable("\(manifestPath): names \(manifest.servers.count) servers; give the server's command after '--'")
            }
            configuration.arguments = server.arguments
            configuration.workingDirectory = server.workingDirectory
            configuration.environment = server.environment.resolve(parent: FileIO.environment())
        }
        let tools = try InitCommand.listTools(configuration, for: "pin")
        let source: SourceText
        let root: SourceValue
        do {
            source = SourceText(path: manifestPath, bytes: try FileIO.read(manifestPath))
            root = try source.parse()
        } catch {
            throw CommandFailure.failed("pin: cannot read \(manifestPath) again: \(error)")
        }
        let (bytes, report) = ManifestPinEditor.edit(source, root: root, tools: tools)
        do throws(ManifestError) {
            // Fail closed: never write a manifest Tollgate would refuse.
            _ = try ManifestLoader.parse(SourceText(path: manifestPath, bytes: bytes))
        } catch {
            throw CommandFailure.failed("pin: the edited manifest would not load (left unchanged):\n\(error)")
        }
        if bytes != source.bytes {
            do throws(FileError) {
                try FileIO.replace(manifestPath, with: bytes)
            } catch {
                throw CommandFailure.failed("pin: cannot write \(error)")
            }
        }
        print(Self.text(of: report, file: manifestPath, written: bytes != source.bytes))
        return 0
    }

    /// What `pin` did, one line per changed rule.
    static func text(of report: ManifestPinEditor.Report, file: String, written: Bool) -> String {
        var lines: [String] = []
        for change in report.updated { lines.append("updated \(change.tool): \(change.old) -> \(change.new)") }
        for addition in report.added { lines.append("pinned \(addition.tool): \(addition.pin)") }
        for name in report.unlisted { lines.append("not listed by the server (rule left as it is): \(name)") }
        for name in report.withoutRule { lines.append("listed but no rule names it (not pinned): \(name)") }
        let changed = report.updated.count + report.added.count
        lines.append("\(file): \(changed) pin\(changed == 1 ? "" : "s") written, \(report.unchanged.count) unchanged\(written ? "" : "; file not modified")")
        return lines.joined(separator: "\n")
    }
}
