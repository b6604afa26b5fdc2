/// A list a server offers besides its tools, which an aggregating gate lists from every server
/// and offers as one: resources, resource templates and prompts.
public enum HostCatalog: String, Sendable, CaseIterable {
    case resources
    case resourceTemplates
    case prompts

    /// The request that lists it.
    public var method: String {
        switch self {
        case .resources: "resources/list"
        case .resourceTemplates: "resources/templates/list"
        case .prompts: "prompts/list"
        }
    }

    /// The member of the list result that holds the items.
    public var resultKey: String { rawValue }

    /// The server capability that offers it.
    public var capability: String {
        switch self {
        case .resources, .resourceTemplates: "resources"
        case .prompts: "prompts"
        }
    }

    /// The catalog a list request asks for.
    public init?(method: String) {
        guard let catalog = Self.allCases.first(where: { $0.method.hasSameScalars(as: method) }) else { return nil }
        self = catalog
    }
}
