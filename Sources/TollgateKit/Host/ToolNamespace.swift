/// The names the agent sees when one gate fronts several servers: `server__tool` (the separator
/// is configurable), or a server's own names when its manifest entry says `"prefix": false`.
///
/// Prefixed names split back at the first separator (a server name never holds the separator:
/// the manifest refuses one that does), so a prefixed call routes even before any listing.
/// Unprefixed names route through the table built from the servers' listings (see
/// ``union(_:)``), where a name two servers would both expose is a collision.
public struct ToolNamespace: Sendable, Equatable {
    /// A server as the namespace sees it.
    public struct Server: Sendable, Equatable {
        /// The server's name in the manifest.
        public var name: String
        /// Whether its tools are exposed as `name<separator>tool`.
        public var prefixed: Bool

        /// A server named `name`, prefixed unless told otherwise.
        public init(name: String, prefixed: Bool = true) {
            self.name = name
            self.prefixed = prefixed
        }
    }

    /// The default separator between a server's name and a tool's.
    public static let defaultSeparator = "__"

    /// The servers, in manifest order (their index is the child's index; a server a reload
    /// adds comes last).
    public internal(set) var servers: [Server]
    /// What stands between the server's name and the tool's.
    public let separator: String

    /// A namespace over `servers` joined to tool names by `separator`.
    public init(servers: [Server], separator: String = ToolNamespace.defaultSeparator) {
        self.servers = servers
        self.separator = separator
    }

    /// The name the agent sees for `tool` of server `server`.
    public func exposedName(server: Int, tool: String) -> String {
        servers[server].prefixed ? servers[server].name + separator + tool : tool
    }

    /// The prefixed server and original name an exposed name stands for, by its prefix alone;
    /// nil when no prefixed server's name and the separator start it.
    public func splitPrefixed(_ exposed: String) -> (server: Int, tool: String)? {
        for (index, server) in servers.enumerated() where server.prefixed {
            let prefix = (server.name + separator).utf8
            if exposed.utf8.count > prefix.count, exposed.utf8.starts(with: prefix) {
                // The prefix ends with the separator's ASCII, so the rest starts a character.
                return (index, String(decoding: exposed.utf8.dropFirst(prefix.count), as: UTF8.self))
            }
        }
        return nil
    }

    /// Where an exposed name goes: its route in `union` (none for a collision), else its prefix.
    /// Names are compared by bytes, never by `String` equality.
    public func route(_ exposed: String, in union: ToolUnion) -> (server: Int, tool: String)? {
        if union.collides(exposed) { return nil }
        if let route = union.route(exposed) { return (route.server, route.tool) }
        return splitPrefixed(exposed)
    }

    /// Builds the agent's view of every server's tools: `lists[i]` is server i's listing (nil:
    /// not known, for example because the server is gone). Tools keep their order, server by
    /// server; each tool object is copied with its exposed name. Names are compared by their
    /// UTF-8 bytes.
    public func union(_ lists: [[JSONObject]?]) -> ToolUnion {
        var union = ToolUnion()
        var owners: [ProtocolName: Int] = [:]
        var entries: [(exposed: ProtocolName, server: Int, original: String, tool: JSONObject)] = []
        var twice: Set<ProtocolName> = []
        for (server, list) in lists.enumerated() {
            guard let list else { continue }
            var listed: Set<ProtocolName> = []
            for tool in list {
                guard let original = tool["name"]?.stringValue else {
                    union.problems.append("server \(servers[server].name) listed a tool without a string name; it is not offered")
                    continue
                }
                let exposed = exposedName(server: server, tool: original)
                let key = ProtocolName(exposed)
                if !listed.insert(key).inserted {
                    union.collisions.insert(key)
                    if twice.insert(key).inserted {
                        union.listedTwice.append(exposed)
                        union.problems.append("server \(servers[server].name) lists tool \(original) more than once; "
                            + "it is not offered and calls to \(exposed) are refused (tool_ambiguous)")
                    }
                    continue
                }
                if let owner = owners[key] {
                    union.collisions.insert(key)
                    union.problems.append("tool name \(exposed) is offered by servers \(servers[owner].name) and \(servers[server].name); "
                        + "neither is offered (give one of them \"prefix\": true)")
                    continue
                }
                owners[key] = server
                var renamed = tool
                renamed["name"] = .string(exposed)
                entries.append((key, server, original, renamed))
            }
        }
        for entry in entries where !union.collisions.contains(entry.exposed) {
            union.tools.append(entry.tool)
            union.routes[entry.exposed] = ToolUnion.Route(server: entry.server, tool: entry.original)
        }
        return union
    }
}

/// The agent's view of every server's tools, with where each exposed name routes.
public struct ToolUnion: Sendable, Equatable {
    /// Where an exposed name goes.
    public struct Route: Sendable, Equatable {
        /// The server's index.
        public var server: Int
        /// The tool's name on that server.
        public var tool: String
    }

    /// The tools, each with its exposed name.
    public var tools: [JSONObject] = []
    /// Exposed name → server and original name.
    var routes: [ProtocolName: Route] = [:]
    /// Names two servers (or one server twice) would expose: not offered, not routed.
    var collisions: Set<ProtocolName> = []
    /// Exposed names a server listed more than once (their calls are refused for the run).
    public var listedTwice: [String] = []
    /// What to report on stderr.
    public var problems: [String] = []

    /// An empty view.
    public init() {}

    /// Where the exposed name `name` routes (nil: no tool has it, or several have).
    public func route(_ name: String) -> Route? {
        routes[ProtocolName(name)]
    }

    /// Whether several tools would have the exposed name `name`.
    public func collides(_ name: String) -> Bool {
        collisions.contains(ProtocolName(name))
    }
}
