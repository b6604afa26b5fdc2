/// What an ``ArgumentSchema`` needs to know about its surroundings when it is compiled.
public struct SchemaContext: Sendable, Equatable {
    /// The absolute directory that relative paths are resolved against, both the directories listed
    /// in `pathWithin` and the paths in arguments (usually the server's working directory).
    public var workingDirectory: String

    /// Creates a context.
    public init(workingDirectory: String) {
        self.workingDirectory = workingDirectory
    }
}
