import Testing
@testable import TollgateKit

// Shortcuts for the policy tests: compile schemas from JSON text and validate JSON text.

/// The context the schema tests use unless they need a real directory.
let testContext = SchemaContext(workingDirectory: "/srv/work")

/// Compiles a schema given as JSON text.
func compileSchema(
    _ schema: String, _ strictness: ArgumentSchema.Strictness = .strict, context: SchemaContext = testContext
) throws -> ArgumentSchema {
    try ArgumentSchema(compiling: json(schema), strictness: strictness, context: context)
}

/// The compile error for a schema given as JSON text, or nil if it compiles.
func compileError(_ schema: String, _ strictness: ArgumentSchema.Strictness = .strict) throws -> SchemaCompileError? {
    let value = try json(schema)
    do throws(SchemaCompileError) {
        _ = try ArgumentSchema(compiling: value, strictness: strictness, context: testContext)
        return nil
    } catch {
        return error
    }
}

extension ArgumentSchema {
    /// Validates a value given as JSON text.
    func check(_ value: String) throws -> SchemaViolation? {
        validate(try json(value))
    }

    /// Whether a value given as JSON text is valid.
    func accepts(_ value: String) throws -> Bool {
        try check(value) == nil
    }
}

/// A matcher that must compile.
func matcher(_ pattern: String) throws -> NameMatcher {
    try NameMatcher(pattern: pattern)
}
