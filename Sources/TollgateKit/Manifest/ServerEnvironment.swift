/// The environment a manifest gives a server (`servers.X.env`): variables added to Tollgate's
/// own environment (the default), or, with `"inherit": false`, the only variables the server
/// gets. A value `"$NAME"` is copied from Tollgate's environment (`"$$..."` is a literal `$...`).
public struct ServerEnvironment: Sendable, Equatable {
    /// A variable's value.
    public enum Value: Sendable, Equatable {
        /// This text.
        case literal(String)
        /// The value of this variable in Tollgate's environment.
        case parent(String)
    }

    /// One variable and where the manifest sets it.
    public struct Variable: Sendable, Equatable {
        public var name: String
        public var value: Value
        /// The manifest line that sets it (for errors).
        public var line: Int
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
    /// (inherit and nothing set). Throws, naming the variable, its line and the missing one, when
    /// a `"$NAME"` value names a variable Tollgate's environment lacks: fail closed, since a
    /// server started without a credential it was meant to get fails in confusing ways later.
    /// Throws as well for a variable that names one of Tollgate's own secrets, or copies one
    /// (``SecretEnvironment``): no server gets those.
    public func resolve(parent: [String: String], server: String, file: String) throws(CommandLineError) -> [String: String]? {
        guard !inherit || !variables.isEmpty else { return nil }
        var environment = inherit ? parent : [:]
        for variable in variables {
            var secret: String? = SecretEnvironment.isSecret(variable.name) ? variable.name : nil
            if case .parent(let name) = variable.value, SecretEnvironment.isSecret(name) { secret = name }
            if let secret {
                throw CommandLineError("\(file):\(variable.line): servers.\(server).env.\(variable.name): \(secret) holds a secret of Tollgate's own, "
                    + "which no process Tollgate starts gets; remove the entry",
                    exitCode: CommandLineError.ExitCode.usage.rawValue)
            }
            switch variable.value {
            case .literal(let text):
                environment[variable.name] = text
            case .parent(let name):
                guard let value = parent[name] else {
                    throw CommandLineError("\(file):\(variable.line): servers.\(server).env.\(variable.name): \"$\(name)\" names a variable "
                        + "that is not set in Tollgate's environment; set it, or remove the entry",
                        exitCode: CommandLineError.ExitCode.usage.rawValue)
                }
                environment[variable.name] = value
            }
        }
        return environment
    }

    /// Whether `name` can be a variable name written as `$NAME` (letters, digits, `_`; not a digit first).
    static func isVariableName(_ name: Substring) -> Bool {
        guard let first = name.utf8.first, !(0x30...0x39).contains(first) else { return false }
        return name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x5F }
    }
}
