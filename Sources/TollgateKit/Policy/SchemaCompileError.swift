/// Why a schema could not be compiled: where in the schema, and what is wrong.
public struct SchemaCompileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Keys from the schema root to the bad node, for example `["properties", "q", "pattern"]`
    /// (array elements appear as their decimal index).
    public var path: [String]
    /// What is wrong and what is expected.
    public var message: String

    /// Creates an error.
    public init(path: [String], message: String) {
        self.path = path
        self.message = message
    }

    /// ``path`` as an RFC 6901 JSON pointer into the schema ("" = the schema itself).
    public var pointer: String { JSONPointer.string(path) }

    /// The pointer and the message, for example `/properties/q/pattern: …`.
    public var description: String {
        path.isEmpty ? message : "\(pointer): \(message)"
    }
}

/// Every problem of a schema compiled with ``ArgumentSchema/compileStrictly(_:context:)``.
public struct SchemaCompileErrors: Error, Sendable, Equatable {
    /// The problems, in schema order (at least one).
    public var errors: [SchemaCompileError]
}
