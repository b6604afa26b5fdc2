import Testing
@testable import TollgateKit

@Suite("ArgumentSchema pattern budget")
struct PatternBudgetPolicyTests {
    /// A pattern the lazy DFA cannot cache (a new state per `a` read) and whose every `a` keeps
    /// thousands of Pike VM threads alive.
    static let hostile = "[ab]*a[ab]{3000}c"
    /// Enough `a`s for the hostile pattern to pass even the default budget.
    static let hostileInput = JSONValue.string(String(repeating: "a", count: 20_000))
    /// A budget the hostile pattern passes quickly.
    static let small = MatchBudget(steps: 1_000_000)

    /// The violation must say the value could not be checked, at `pointer`, for `pattern`.
    private func expectUndecided(_ violation: SchemaViolation?, at pointer: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(violation?.isUndecided == true, "\(String(describing: violation))", sourceLocation: sourceLocation)
        #expect(violation?.pointer == pointer, sourceLocation: sourceLocation)
        #expect(violation?.keyword == "pattern", sourceLocation: sourceLocation)
        #expect(violation?.message.hasPrefix("could not be checked: the pattern \(Self.hostile) is too expensive to check against this argument") == true,
                "\(String(describing: violation?.message))", sourceLocation: sourceLocation)
    }

    @Test("a pattern too expensive to check denies the value, saying so")
    func plainPattern() throws {
        let schema = try compileSchema(#"{"properties": {"q": {"pattern": "\#(Self.hostile)"}}}"#)
        expectUndecided(schema.validate(["q": Self.hostileInput], budget: Self.small), at: "/q")
        #expect(schema.validate(["q": "ab"], budget: Self.small)?.message == "must match \(Self.hostile)", "a short value is checked")
    }

    @Test("under not, a pattern too expensive to check still denies (it is no non-match)")
    func underNot() throws {
        let schema = try compileSchema(#"{"properties": {"q": {"not": {"pattern": "\#(Self.hostile)"}}}}"#)
        expectUndecided(schema.validate(["q": Self.hostileInput], budget: Self.small), at: "/q")
        #expect(schema.validate(["q": "ab"], budget: Self.small) == nil, "a short value is checked, and does not match")
        let nested = try compileSchema(#"{"not": {"anyOf": [{"type": "number"}, {"pattern": "\#(Self.hostile)"}]}}"#)
        expectUndecided(nested.validate(Self.hostileInput, budget: Self.small), at: "")
    }

    @Test("anyOf passes when another alternative passes, and is undecided otherwise")
    func underAnyOf() throws {
        let passes = try compileSchema(#"{"anyOf": [{"pattern": "\#(Self.hostile)"}, {"type": "string"}]}"#)
        #expect(passes.validate(Self.hostileInput, budget: Self.small) == nil)
        let fails = try compileSchema(#"{"anyOf": [{"pattern": "\#(Self.hostile)"}, {"maxLength": 5}]}"#)
        expectUndecided(fails.validate(Self.hostileInput, budget: Self.small), at: "")
    }

    @Test("the patterns of one validation share its budget")
    func sharedBudget() throws {
        let schema = try compileSchema(#"{"items": {"pattern": "^[a-z]+$"}}"#)
        let item = JSONValue.string(String(repeating: "a", count: 5_000))
        let budget = MatchBudget(steps: 100_000)
        #expect(schema.validate(.array(Array(repeating: item, count: 10)), budget: budget) == nil)
        let violation = schema.validate(.array(Array(repeating: item, count: 30)), budget: budget)
        #expect(violation?.isUndecided == true)
        #expect(violation?.pointer == "/19", "5,000 steps for each of 20 items, then the budget is spent")
    }

    @Test("the default budget denies the hostile pattern, and the lazy DFA keeps a large program within it")
    func defaultBudget() throws {
        let schema = try compileSchema(#"{"not": {"pattern": "\#(Self.hostile)"}}"#)
        expectUndecided(schema.validate(Self.hostileInput), at: "")
        // 10,000 instructions, all live after the first `a`: a billion Pike VM steps on 100 KB,
        // a few states for the DFA.
        let large = try compileSchema(#"{"not": {"pattern": "(?:a|b)(?:a?){4996}c"}}"#)
        #expect(large.validate(.string(String(repeating: "a", count: 100_000))) == nil)
        #expect(large.validate(.string(String(repeating: "a", count: 100_000) + "c"))?.keyword == "not")
    }
}
