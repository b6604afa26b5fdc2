/// The gate used without a manifest: every well-formed call is forwarded. It decides nothing on a
/// call's content, so calls travel as their original bytes (checked by the scanner: valid UTF-8,
/// no duplicate keys, a string name, object arguments) and are never rebuilt.
public struct PassThroughGate: Gate {
    public init() {}

    public var needs: GateNeeds { [] }

    public mutating func decide(_ call: ToolCall) -> GateVerdict { .forward }
}
