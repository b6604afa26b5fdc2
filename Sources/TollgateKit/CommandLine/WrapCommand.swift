#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `tollgate wrap` / `tollgate unwrap`: puts Tollgate in front of every stdio server of a
/// client's configuration files (with a starter manifest in monitor mode for each), or takes
/// it away again. The text edits are ``ClientConfigEditor``'s; this type does the I/O.
struct WrapCommand {
    let options: WrapOptions

    func run() throws(CommandFailure) -> Int32 {
        var failed = false
        for file in try StatusCommand.files(of: options.client) {
            let bytes: [UInt8]
            do throws(FileError) { bytes = try FileIO.read(file.path) } catch {
                report("\(error)")
                failed = true
                continue
            }
            let root: SourceValue
            do throws(JSONScanError) { root = try SourceText(path: file.path, bytes: bytes).parse() } catch {
                report("\(file.path): not JSON (\(error)); left alone")
                failed = true
                continue
            }
            let targets = options.unwraps ? [] : prepare(file, entries: ClientConfigEditor.entries(in: root), failed: &failed)
            let edit = { (text: [UInt8], tree: SourceValue) -> [UInt8] in
                options.unwraps ? ClientConfigEditor.unwrap(text, root: tree).bytes : ClientConfigEditor.wrap(text, root: tree, wrapping: targets)
            }
            if options.unwraps {
                let result = ClientConfigEditor.unwrap(bytes, root: root)
                for path in result.restored { report("\(file.path): \(path.joined(separator: ".")): restored") }
                for refusal in result.refused { report("\(file.path): \(refusal.path.joined(separator: ".")): \(refusal.reason)"); failed = true }
            }
            let changed = edit(bytes, root)
            if changed == bytes { report("\(file.path): nothing to change"); continue }
            if options.dryRun {
                print("--- \(file.path)\n+++ \(file.path) (\(options.unwraps ? "unwrapped" : "wrapped"))")
                print(Self.lineDiff(bytes, changed), terminator: "")
                continue
            }
            do throws(ConfigWriteFailure) {
                let backup = try Self.write(file.path, read: bytes, edit: edit)
                report("\(file.path): written (the previous content is in \(backup))")
            } catch {
                report(error.message)
                failed = true
            }
        }
        return failed ? CommandExit.Code.failure.rawValue : 0
    }

    /// For each entry: a note, and for each stdio server not yet wrapped, its manifest (an
    /// existing one is kept; otherwise `init` writes one in monitor mode). The entries to wrap.
    private func prepare(_ file: ClientFile, entries: [ClientConfigEditor.Entry], failed: inout Bool)
        -> [(path: [String], tollgate: String, manifest: String)] {
        let directory = file.manifestDirectory(chosen: options.manifestDirectory)
        let tollgate = file.isProject ? "tollgate" : (FileIO.realPath("/proc/self/exe") ?? "tollgate")
        var targets: [(path: [String], tollgate: String, manifest: String)] = []
        for entry in entries {
            let place = "\(file.path): \(entry.path.joined(separator: "."))"
            switch entry.state {
            case .remote: report("\(place): a remote (url) server, left alone")
            case .unusable(let reason): report("\(place): left alone: \(reason)")
            case .wrapped(let manifest, _): report("\(place): already behind Tollgate (\(manifest))")
            case .direct(let command):
                // A project's entry in ~/.claude.json: named after the project too, so that
                // servers of the same name in two projects get a manifest each.
                let project = entry.path.count == 4 ? entry.path[1].split(separator: "/").last.map { "\($0)-" } ?? "" : ""
                let name = Self.fileName(for: project + entry.name)
                let manifest = directory.path + "/" + name
                if FileIO.exists(manifest) {
                    report("\(place): wrapped with the existing \(manifest)")
                } else if options.dryRun {
                    report("\(place): would run init and write \(manifest) (monitor mode)")
                } else {
                    let working = entry.workingDirectory ?? (file.isProject ? FileIO.directory(of: file.path) : FileIO.currentDirectory())
                    switch starter(for: entry, command: command, workingDirectory: working, manifest: manifest) {
                    case .success(let starter):
                        guard save(starter, to: manifest, in: directory.path, place: place) else { failed = true; continue }
                        report("\(place): \(starter.tools.count) tools listed; \(manifest) written in monitor mode")
                    case .failure(let reason):
                        guard options.force else {
                            report("\(place): init failed (\(reason)); left unwrapped (--force wraps it with a manifest without tools)")
                            failed = true
                            continue
                        }
                        var empty = StarterManifest(serverName: entry.name, command: command, tools: [], workingDirectory: working)
                        empty.mode = .monitor
                        empty.auditLog = Self.auditLog(for: manifest)
                        guard save(empty, to: manifest, in: directory.path, place: place) else { failed = true; continue }
                        report("\(place): init failed (\(reason)); wrapped anyway (--force) with \(manifest), which names no tools")
                    }
                }
                // An entry with a cwd of its own would look for a relative manifest there.
                let written = file.isProject && entry.workingDirectory == nil ? directory.written + "/" + name : manifest
                targets.append((entry.path, tollgate, written))
            }
        }
        return targets
    }

    private enum InitResult {
        case success(StarterManifest)
        case failure(String)
    }

    /// Starts the server as the client would (its env over Tollgate's, its cwd) and lists its
    /// tools: the starter manifest to write at `manifest`.
    private func starter(for entry: ClientConfigEditor.Entry, command: [String], workingDirectory: String, manifest: String) -> InitResult {
        var environment = FileIO.environment()
        for variable in entry.environment { environment[variable.key] = variable.value }
        let connection: ServerConnection
        do throws(SpawnError) {
            connection = try ServerConnection(ChildProcess.Configuration(arguments: command, environment: environment, workingDirectory: workingDirectory),
                                              timeoutMilliseconds: Int64(options.timeoutSeconds) * 1000)
        } catch {
            return .failure(error.description)
        }
        defer { connection.close() }
        do throws(ServerConnection.Failure) {
            _ = try connection.initialize()
            var starter = StarterManifest(serverName: entry.name, command: command, tools: try connection.listTools(),
                                          workingDirectory: workingDirectory, schema: SchemaFile.locate().map(SchemaFile.uri))
            starter.mode = .monitor
            starter.auditLog = Self.auditLog(for: manifest)
            return .success(starter)
        } catch {
            return .failure("\(error)")
        }
    }

    private func save(_ starter: StarterManifest, to path: String, in directory: String, place: String) -> Bool {
        Self.makeDirectories(directory)
        do throws(FileError) {
            try FileIO.replace(path, with: Array(starter.json.prettyText.utf8))
            return true
        } catch {
            report("\(place): cannot write the manifest: \(error)")
            return false
        }
    }

    /// The audit log of a wrapped server, beside its manifest: `NAME.audit.log` for `NAME.json`.
    static func auditLog(for manifest: String) -> String {
        let file = manifest.split(separator: "/").last.map(String.init) ?? manifest
        return String(file.dropLast(".json".count)) + ".audit.log"
    }

    private func report(_ message: String) {
        Diagnostics.standardError.report(options.unwraps ? "unwrap: \(message)" : "wrap: \(message)")
    }
}
