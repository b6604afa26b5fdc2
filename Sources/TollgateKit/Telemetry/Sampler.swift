/// Which traces are kept (`OTEL_TRACES_SAMPLER`): metrics count every call either way.
public enum Sampler: Sendable, Equatable {
    /// `always_on`.
    case alwaysOn
    /// `always_off`.
    case alwaysOff
    /// `traceidratio`: a trace is kept when the low 8 bytes of its id, read as a number, are
    /// below `ratio` × 2^64 (as the OpenTelemetry SDKs do), so every service sampling at the same
    /// ratio keeps the same traces.
    case traceIDRatio(Double)
    /// `parentbased_*`: a span with a parent follows the parent's `sampled` flag; one without
    /// is decided by `root`.
    indirect case parentBased(root: Sampler)

    /// The default: `parentbased_always_on`.
    public static let standard = Sampler.parentBased(root: .alwaysOn)

    /// The names `OTEL_TRACES_SAMPLER` accepts.
    public static let names = ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"]

    /// The sampler a name stands for (`ratio` is `OTEL_TRACES_SAMPLER_ARG`, for the ratio samplers);
    /// nil for an unknown name.
    public init?(name: String, ratio: Double) {
        switch name {
        case "always_on": self = .alwaysOn
        case "always_off": self = .alwaysOff
        case "traceidratio": self = .traceIDRatio(ratio)
        case "parentbased_always_on": self = .parentBased(root: .alwaysOn)
        case "parentbased_always_off": self = .parentBased(root: .alwaysOff)
        case "parentbased_traceidratio": self = .parentBased(root: .traceIDRatio(ratio))
        default: return nil
        }
    }

    /// Whether a span of trace `traceLow` (the trace id's low 8 bytes) with `parent` is kept.
    public func samples(traceLow: UInt64, parent: TraceContext?) -> Bool {
        switch self {
        case .alwaysOn: return true
        case .alwaysOff: return false
        case .traceIDRatio(let ratio):
            if ratio >= 1 { return true }
            if ratio <= 0 { return false }
            return Double(traceLow) < ratio * 18_446_744_073_709_551_616.0
        case .parentBased(let root):
            if let parent { return parent.sampled }
            return root.samples(traceLow: traceLow, parent: nil)
        }
    }
}
