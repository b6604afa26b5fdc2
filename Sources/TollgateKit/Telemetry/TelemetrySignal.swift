/// The three kinds of data Tollgate exports.
enum TelemetrySignal: String, Sendable, CaseIterable {
    case traces, metrics, logs

    /// How many of this signal's items one failed export loses, in the drop counter's words.
    var unit: String { self == .metrics ? "exports" : "items" }
}
