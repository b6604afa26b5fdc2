/// Whose spend a budget counts (`budgets.scope`, a rule's `budget.scope`): everyone's (`global`),
/// one agent's, one workflow's, one run's, or a name made from variables. Budgets whose scopes
/// resolve to the same name (`global`, `agent:alice`, `workflow:nightly-42`, `run:…`, or a
/// template's text) share their counters, in a ledger and in a store alike.
public enum SpendScope: Sendable, Hashable, CustomStringConvertible {
    /// Every gate on the ledger or store shares the budget (the default).
    case global
    /// One budget per agent: `tollgate run --agent NAME` or `TOLLGATE_AGENT`.
    case agent
    /// One budget per workflow: `tollgate run --workflow ID` or `TOLLGATE_WORKFLOW`.
    case workflow
    /// One budget per run: `TOLLGATE_RUN` when set (so several gates of one job share it), else
    /// one of this process's own.
    case run
    /// A name made of variables, such as `"${TOLLGATE_AGENT}/${TOLLGATE_WORKFLOW}"`.
    case template(String)

    /// The name of the global scope.
    public static let globalName = "global"
    /// The variables naming the agent, the workflow and the run.
    public static let agentVariable = "TOLLGATE_AGENT", workflowVariable = "TOLLGATE_WORKFLOW", runVariable = "TOLLGATE_RUN"
    /// The longest scope name, in UTF-8 bytes.
    public static let maxNameBytes = 200

    /// Reads a manifest value: `global`, `agent`, `workflow`, `run`, or a template holding at
    /// least one `${…}` variable.
    public init(parsing text: String) throws(BudgetSpecError) {
        switch Array(text.utf8) {
        case Array("global".utf8): self = .global
        case Array("agent".utf8): self = .agent
        case Array("workflow".utf8): self = .workflow
        case Array("run".utf8): self = .run
        default:
            guard text.utf8.count <= Self.maxNameBytes, Array(text.utf8).contains(UInt8(ascii: "$")) else {
                throw BudgetSpecError("expected \"global\", \"agent\", \"workflow\", \"run\" or a template of variables such as \"${TOLLGATE_AGENT}/${TOLLGATE_WORKFLOW}\", found \"\(text)\"")
            }
            self = .template(text)
        }
    }

    /// The text the scope's name is made from, with variables: `agent` is `agent:${TOLLGATE_AGENT}`.
    public var template: String {
        switch self {
        case .global: Self.globalName
        case .agent: "agent:${\(Self.agentVariable)}"
        case .workflow: "workflow:${\(Self.workflowVariable)}"
        case .run: "run:${\(Self.runVariable)}"
        case .template(let text): text
        }
    }

    /// The variable the scope needs, for the one-word scopes that need one.
    public var variable: String? {
        switch self {
        case .agent: Self.agentVariable
        case .workflow: Self.workflowVariable
        case .run: Self.runVariable
        case .global, .template: nil
        }
    }

    /// Whether a resolved name is a usable scope name: 1 to ``maxNameBytes`` bytes, no control
    /// characters.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maxNameBytes && name.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
    }

    /// Whether `name` is the global scope's (byte for byte).
    public static func isGlobal(_ name: String) -> Bool { name.utf8.elementsEqual(globalName.utf8) }

    /// Whether two scope names are the same bytes.
    public static func same(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

    public var description: String {
        switch self {
        case .global: "global"
        case .agent: "agent"
        case .workflow: "workflow"
        case .run: "run"
        case .template(let text): text
        }
    }
}
