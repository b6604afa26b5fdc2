/// The manifest's tool rules in file order, answering which of them decide a tool name.
///
/// Precedence: an exact rule beats every glob; among matching globs the one with the longest
/// literal prefix (characters before the first wildcard) wins; at equal specificity a deny rule
/// wins; if several allow rules tie, all of them apply (their argument schemas must all pass) and
/// the first in file order is the one reported. The answer depends only on the name, so a gate can
/// cache it per tool name. `Payload` is whatever the caller attaches to a rule (its schema, reason…).
public struct RuleTable<Payload: Sendable>: Sendable {
    /// One rule: its compiled key, whether it allows, and the caller's data.
    public struct Rule: Sendable {
        /// The compiled rule key.
        public var matcher: NameMatcher
        /// Whether the rule allows (`"allow": true`) or denies the tools it matches.
        public var allows: Bool
        /// What the caller attached.
        public var payload: Payload

        /// Creates a rule.
        public init(matcher: NameMatcher, allows: Bool, payload: Payload) {
            self.matcher = matcher
            self.allows = allows
            self.payload = payload
        }
    }

    /// The rules in file order; ``RuleMatch`` refers to them by index.
    public let rules: [Rule]
    /// Exact rules by name (several only if the caller passed duplicate keys; they tie).
    private let exactRules: [ProtocolName: [Int]]
    /// Glob rules, longest literal prefix first, file order within one length.
    private let globRules: [Int]

    /// Creates a table from rules in file order.
    public init(_ rules: [Rule]) {
        self.rules = rules
        var exact: [ProtocolName: [Int]] = [:]
        var globs: [Int] = []
        for (index, rule) in rules.enumerated() {
            if rule.matcher.isExact {
                exact[ProtocolName(rule.matcher.pattern), default: []].append(index)
            } else {
                globs.append(index)
            }
        }
        globs.sort { lhs, rhs in
            let left = rules[lhs].matcher.literalPrefixLength
            let right = rules[rhs].matcher.literalPrefixLength
            return left != right ? left > right : lhs < rhs
        }
        exactRules = exact
        globRules = globs
    }

    /// The rule at `index` (an index from a ``RuleMatch``).
    public subscript(index: Int) -> Rule { rules[index] }

    /// Which rules decide `name`.
    public func match(_ name: String) -> RuleMatch {
        if let exact = exactRules[ProtocolName(name)] { return decide(exact) }
        var first = -1
        var tied: [Int] = []
        var winningLength = -1
        for index in globRules {
            let length = rules[index].matcher.literalPrefixLength
            if length < winningLength { break }
            guard rules[index].matcher.matches(name) else { continue }
            if first < 0 {
                first = index
                winningLength = length
            } else {
                if tied.isEmpty { tied.append(first) }
                tied.append(index)
            }
        }
        if first < 0 { return .noRule }
        if tied.isEmpty { return rules[first].allows ? .allowed(rules: [first]) : .denied(rule: first) }
        tied.sort()
        return decide(tied)
    }

    /// Whether a rule names `name` exactly (not by a glob).
    public func namesExactly(_ name: String) -> Bool {
        exactRules[ProtocolName(name)] != nil
    }

    /// Deny wins among equally specific rules; otherwise every tied allow rule applies.
    private func decide(_ tied: [Int]) -> RuleMatch {
        if let deny = tied.first(where: { !rules[$0].allows }) { return .denied(rule: deny) }
        return .allowed(rules: tied)
    }
}

/// Which manifest rules decide a tool name (indices into ``RuleTable/rules``).
public enum RuleMatch: Sendable, Hashable {
    /// No rule matches: `policy.default` decides.
    case noRule
    /// A deny rule wins (the first in file order among the most specific).
    case denied(rule: Int)
    /// Allow rules win; all of them apply, in file order; the first is the one reported.
    case allowed(rules: [Int])

    /// The rule to report: the deny rule, or the first allow rule; nil when no rule matched.
    public var reportedRule: Int? {
        switch self {
        case .noRule: nil
        case .denied(let rule): rule
        case .allowed(let rules): rules.first
        }
    }
}
