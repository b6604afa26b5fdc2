/// An MCP client's configuration file that `tollgate wrap` edits.
public struct ClientFile: Sendable, Equatable {
    /// The file's path.
    public var path: String
    /// A project's `.mcp.json`, shared through git: Tollgate is named `tollgate` (found on each
    /// user's PATH) and its manifests live in the project's `.tollgate/`, named relatively.
    public var isProject: Bool

    public init(path: String, isProject: Bool) {
        self.path = path
        self.isProject = isProject
    }

    /// The files of a client: `claude-code` (this directory's `.mcp.json` and `~/.claude.json`,
    /// those that exist), `claude-desktop` (`~/.config/Claude/claude_desktop_config.json`), or a
    /// path to any file in the `mcpServers` format.
    public static func files(for client: String, environment: [String: String] = FileIO.environment()) -> [ClientFile] {
        let home = environment["HOME"] ?? "/"
        switch client {
        case "claude-code":
            let project = FileIO.currentDirectory() + "/.mcp.json"
            return [ClientFile(path: project, isProject: true), ClientFile(path: home + "/.claude.json", isProject: false)]
                .filter { FileIO.exists($0.path) }
        case "claude-desktop":
            let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
            return [ClientFile(path: config + "/Claude/claude_desktop_config.json", isProject: false)]
        default:
            let path = FileIO.absolute(client, base: FileIO.currentDirectory())
            return [ClientFile(path: path, isProject: path.split(separator: "/").last.map { String($0).hasSameScalars(as: ".mcp.json") } ?? false)]
        }
    }

    /// Where wrap keeps the manifests of this file's servers: `--manifests DIR`, the project's
    /// `.tollgate/` (named relatively, from the project's folder where the client starts servers),
    /// or `$XDG_CONFIG_HOME/tollgate/manifests` (default `~/.config/tollgate/manifests`).
    public func manifestDirectory(chosen: String?, environment: [String: String] = FileIO.environment()) -> (path: String, written: String) {
        if let chosen {
            let path = FileIO.absolute(chosen, base: FileIO.currentDirectory())
            return (path, path)
        }
        if isProject { return (FileIO.directory(of: path) + "/.tollgate", ".tollgate") }
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (environment["HOME"] ?? "/") + "/.config"
        return (config + "/tollgate/manifests", config + "/tollgate/manifests")
    }
}
