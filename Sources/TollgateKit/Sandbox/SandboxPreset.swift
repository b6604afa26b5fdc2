/// The runtime paths a kind of server needs, so a user does not find them by trial (see
/// ``SandboxPlan`` for the paths each one grants, and docs/manifest.md "Sandbox").
public enum SandboxPreset: String, Sendable, CaseIterable {
    /// A Python server: the interpreter, its standard library, the virtualenv it runs from.
    case python
    /// A Node.js server: the runtime, global modules, npm's cache (`npx`).
    case node
    /// A server started by `uv`/`uvx`: Python's paths, and uv's cache and interpreters.
    case uv
    /// A compiled program: the system's libraries and the program itself only.
    case binary

    /// The preset a command suggests (`tollgate init`): `uvx`/`uv` → uv, `node`/`npx` → node,
    /// Python or a `.py` script → python, a script whose `#!` names Python or node (the program
    /// looked up on Tollgate's `PATH`) → that, else binary.
    public static func suggested(for command: [String]) -> SandboxPreset {
        let program = command.first.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? ""
        if program == "uv" || program == "uvx" { return .uv }
        if program == "node" || program == "npx" || program == "bun" || program.hasSuffix(".js") || program.hasSuffix(".mjs") { return .node }
        if program.hasPrefix("python") || program.hasSuffix(".py") { return .python }
        let searchPath = FileIO.environment()["PATH"]
        let located = ProgramFile.locate(command.first ?? "", searchPath: searchPath) ?? ""
        if let interpreter = ProgramFile.interpreter(ofScript: located, searchPath: searchPath) {
            let name = interpreter.split(separator: "/").last.map(String.init) ?? interpreter
            if name.hasPrefix("python") { return .python }
            if name == "node" { return .node }
        }
        return .binary
    }
}
