/// The environment a manifest gives a server (`servers.X.env`): variables added to Tollgate's
/// own environment (the default), or, with `"inherit": false`, the only variables the server
/// gets. Values are final: `${NAME}` references were expanded when the manifest was loaded, which
/// refuses a variable named after one of Tollgate's own secrets, and a reference to one
/// (``SecretEnvironment``); every child's environment is also filtered of them when it starts.
public struct ServerEnvironment: Sendable, Equatable {
    /// One variable the manifest sets.
    public struct Variable: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Whether the server also gets Tollgate's environment (`inherit`, default true).
    public var inherit = true
    /// The variables the manifest sets, in manifest order.
    public var variables: [Variable] = []

    public init(inherit: Bool = true, variables: [Variable] = []) {
        self.inherit = inherit
        self.variables = variables
    }

    /// The server's complete environment given Tollgate's, or nil when it is simply Tollgate's
    /// (inherit and nothing set).
    public func resolve(parent: [String: String]) -> [String: String]? {
        guard !inherit || !variables.isEmpty else { return nil }
        var environment = inherit ? parent : [:]
        for variable in variables { environment[variable.name] = variable.value }
        return environment
    }
}
