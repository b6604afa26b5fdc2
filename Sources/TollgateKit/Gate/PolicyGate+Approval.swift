extension PolicyGate {
    /// The approval the rules ask of a tool's calls, if any (the first allowing rule that sets one).
    public mutating func approval(for name: String) -> ApprovalRule? {
        guard hasApprovalRules, case .allow(let rules) = nameDecision(for: name) else { return nil }
        for index in rules { if let approval = manifest.tools[index].approval { return approval } }
        return nil
    }

    /// Whether some rule asks for approval.
    var hasApprovalRules: Bool { manifest.tools.contains { $0.approval != nil } }
}
