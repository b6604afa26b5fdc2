/// `tollgate check FILE`: validates a manifest exactly as `run` would, without starting anything.
struct CheckCommand {
    let manifestPath: String

    func run() throws(CommandLineError) -> Int32 {
        let manifest = try loadManifest(manifestPath)
        print(Self.summary(of: manifest))
        return 0
    }

    static func summary(of manifest: Manifest) -> String {
        let allowing = manifest.tools.filter(\.allow).count
        let schemas = manifest.tools.filter { $0.arguments != nil }.count
        let servers = manifest.servers.map(\.name).joined(separator: ", ")
        return "\(manifest.file): OK: default \(manifest.policy.defaultDecision.rawValue), \(manifest.policy.mode.rawValue) mode; "
            + "\(manifest.tools.count) tool rule\(manifest.tools.count == 1 ? "" : "s") (\(allowing) allow, \(manifest.tools.count - allowing) deny, \(schemas) with argument schemas); "
            + "\(manifest.servers.count) server\(manifest.servers.count == 1 ? "" : "s")\(servers.isEmpty ? "" : " (\(servers))")"
    }
}

/// Loads a manifest or turns its problems into the command-line error (exit 2, every problem listed).
func loadManifest(_ path: String) throws(CommandLineError) -> Manifest {
    do throws(ManifestError) {
        return try ManifestLoader.load(path: path)
    } catch {
        let count = error.issues.count
        throw CommandLineError("\(error)\n\(path): \(count) problem\(count == 1 ? "" : "s"); Tollgate will not start with this manifest",
                               exitCode: CommandLineError.ExitCode.usage.rawValue)
    }
}
