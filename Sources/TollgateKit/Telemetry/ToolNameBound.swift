/// Keeps tool names used as span names and metric labels few: a name the server did not list
/// and no rule names (one the model made up) becomes `_unknown`, and once ``limit`` distinct
/// names were seen (or for a name over ``maxNameBytes`` bytes) further ones become `_other`.
struct ToolNameBound: Sendable {
    /// The label of a name neither listed nor named by a rule.
    static let unknown = "_unknown"
    /// The label of a known name past the limit.
    static let other = "_other"
    /// The longest name used as it is.
    static let maxNameBytes = 256

    /// The most distinct names used as they are.
    let limit: Int
    private var seen: Set<ProtocolName> = []

    init(limit: Int = 1000) {
        self.limit = limit
    }

    /// The label for `name`; `known` says whether the server listed it or a rule names it.
    mutating func label(_ name: String, known: Bool) -> String {
        guard known else { return Self.unknown }
        let key = ProtocolName(name)
        if seen.contains(key) { return name }
        guard seen.count < limit, name.utf8.count <= Self.maxNameBytes else { return Self.other }
        seen.insert(key)
        return name
    }
}
