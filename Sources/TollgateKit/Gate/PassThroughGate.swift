/// The gate used without a manifest: every well-formed call is forwarded (re-serialized, so even
/// then the server reads exactly what Tollgate parsed).
public struct PassThroughGate: Gate {
    public init() {}

    public mutating func decide(_ call: ToolCall) -> GateVerdict { .forward }
}
