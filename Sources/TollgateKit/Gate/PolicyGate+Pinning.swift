extension PolicyGate {
    /// Checks a listed definition against its rule's pin. A tool that changed is recorded (once,
    /// in the audit trail and on stderr) and, in enforce mode, left out of the listing; returns
    /// whether the tool stays listed.
    mutating func keepsPinned(_ definition: JSONObject, name: String) -> Bool {
        guard pinnedRules[ProtocolName(name)] != nil else { return true }
        return keepsPinned(PinCheck.Listed(definition, maxBytes: pinCheck.maxDefinitionBytes), name: name)
    }

    /// Checks a listed definition, as the pin check keeps it, against its rule's pin (see above).
    mutating func keepsPinned(_ listed: PinCheck.Listed, name: String) -> Bool {
        guard let index = pinnedRules[ProtocolName(name)], let pin = manifest.tools[index].pin else { return true }
        guard case .changed(let change, let isNew) = pinCheck.check(listed, name: name, pin: pin, rule: manifest.tools[index].name) else {
            return true
        }
        let monitoring = manifest.policy.mode == .monitor
        if isNew {
            diagnostics.report("\(monitoring ? "monitor: would block" : "blocked") tool \(name) (tool_changed): \(change.reason)")
            if queuesEffects { effects.append(.toolChanged(change)) }
        }
        return monitoring
    }
}
