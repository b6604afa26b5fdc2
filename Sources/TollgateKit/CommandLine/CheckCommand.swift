/// `tollgate check [--strict] FILE`: validates a manifest exactly as `run` would, without
/// starting anything, then warns about what would fail where it runs (``ManifestPreflight``).
/// `-` reads the manifest from stdin (relative paths in it start at the working directory).
struct CheckCommand {
    let manifestPath: String
    /// Whether warnings fail the check (exit 1).
    let strict: Bool

    func run() throws(CommandFailure) -> Int32 {
        let options = ManifestLoadOptions(allowsUnsetVariables: true)
        let manifest = manifestPath == "-" ? try Self.loadStandardInput(options) : try loadManifest(manifestPath, options: options)
        let warnings = ManifestPreflight.warnings(for: manifest)
        for warning in warnings { Diagnostics.standardError.report("warning: \(warning)") }
        let count = "\(warnings.count) warning\(warnings.count == 1 ? "" : "s")"
        if strict && !warnings.isEmpty {
            throw CommandFailure.failed("\(manifest.file): \(count); --strict fails on warnings")
        }
        print(Self.summary(of: manifest) + (warnings.isEmpty ? "" : "; \(count) (on stderr)"))
        return 0
    }

    static func summary(of manifest: Manifest) -> String {
        let servers = manifest.servers.map(\.name).joined(separator: ", ")
        return "\(manifest.file): OK: default \(manifest.policy.defaultDecision.rawValue), \(manifest.policy.mode.rawValue) mode; "
            + "\(manifest.rulesSummary); "
            + "\(manifest.servers.count) server\(manifest.servers.count == 1 ? "" : "s")\(servers.isEmpty ? "" : " (\(servers))")"
    }

    /// The manifest on standard input, named `<stdin>` in messages.
    static func loadStandardInput(_ options: ManifestLoadOptions) throws(CommandFailure) -> Manifest {
        let bytes: [UInt8]
        do throws(FileError) {
            bytes = try FileIO.readStandardInput()
        } catch {
            throw CommandFailure.failed("check: cannot read the manifest from stdin: \(error)")
        }
        do throws(ManifestError) {
            return try ManifestLoader.parse(SourceText(path: "<stdin>", bytes: bytes), options: options)
        } catch {
            throw CommandFailure.unusable(error, consequence: "Tollgate will not start with this manifest")
        }
    }
}

/// Loads a manifest for a command or turns its problems into a ``CommandFailure`` (every problem
/// listed, then `consequence`: what it means for the command).
func loadManifest(_ path: String, options: ManifestLoadOptions = ManifestLoadOptions(),
                  consequence: String = "Tollgate will not start with this manifest") throws(CommandFailure) -> Manifest {
    do throws(ManifestError) {
        return try ManifestLoader.load(path: path, options: options)
    } catch {
        throw CommandFailure.unusable(error, consequence: consequence)
    }
}
