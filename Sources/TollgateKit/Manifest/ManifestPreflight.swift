/// What would go wrong if Tollgate started with a manifest on this machine, found without
/// starting anything: the warnings of `tollgate check` (variables that are not set, and the
/// ``RequiredPath``s that are missing). Reads the file system; decides nothing else.
public enum ManifestPreflight {
    /// The PATH a program is looked up in when its environment has none (as Tollgate's exec does).
    static let defaultSearchPath = ProgramFile.defaultSearchPath

    /// Every warning for `manifest`, in file order.
    public static func warnings(for manifest: Manifest) -> [ManifestIssue] {
        var warnings = manifest.unsetVariables
        for required in manifest.requiredPaths {
            guard let problem = problem(with: required) else { continue }
            warnings.append(ManifestIssue(file: manifest.file, line: required.line, column: required.column, path: required.key, message: problem))
        }
        return warnings.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    /// What is wrong with one required path, or nil when it is there.
    static func problem(with required: RequiredPath) -> String? {
        switch required.kind {
        case .directory:
            if FileIO.isDirectory(required.value) { return nil }
            return FileIO.exists(required.value) ? "\(required.value) is not a directory" : "the directory \(required.value) does not exist"
        case .existing:
            return FileIO.exists(required.value) ? nil : "\(required.value) does not exist"
        case .sandbox(let spec):
            guard let problem = SandboxSupport.current.problem(for: spec) else { return nil }
            return spec.required ? "this machine cannot provide the sandbox, so the server would not start: \(problem)"
                : "this machine cannot provide the sandbox, so the server would run unsandboxed: \(problem)"
        case .command(let searchPath, let workingDirectory):
            if required.value.utf8.contains(UInt8(ascii: "/")) {
                let path = FileIO.absolute(required.value, base: workingDirectory)
                if FileIO.isExecutableFile(path) { return nil }
                return FileIO.exists(path) ? "\(path) is not an executable file" : "the program \(path) does not exist"
            }
            if ProgramFile.locate(required.value, searchPath: searchPath, workingDirectory: workingDirectory) != nil { return nil }
            let path = searchPath ?? defaultSearchPath
            return "the program \(required.value) is not on PATH (\(path))"
        }
    }
}
