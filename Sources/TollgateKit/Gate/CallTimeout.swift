/// How long the server may take to answer one forwarded call, and which manifest setting says so.
public struct CallTimeout: Sendable, Equatable {
    /// The limit in milliseconds (more than 0).
    public var milliseconds: Int64
    /// The setting that set it (`tools.X.timeoutSeconds`, `policy.defaultTimeoutSeconds`), if any.
    public var rule: String?

    public init(milliseconds: Int64, rule: String? = nil) {
        self.milliseconds = milliseconds
        self.rule = rule
    }

    /// The limit as people read it: `2 s`, `1.5 s`, `250 ms`.
    public var text: String {
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        let whole = milliseconds / 1000, rest = milliseconds % 1000
        guard rest != 0 else { return "\(whole) s" }
        var fraction = String(rest)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }  // not a protocol name
        return "\(whole).\(fraction) s"
    }
}
