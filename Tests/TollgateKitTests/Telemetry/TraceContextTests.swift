import Testing
@testable import TollgateKit

@Suite("Telemetry: trace context and samplers")
struct TraceContextTests {
    @Test("a W3C traceparent is read: ids, the sampled flag, tracestate")
    func parses() throws {
        let context = try #require(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: "rojo=00f067aa0ba902b7"))
        #expect(context.traceHigh == 0x4bf9_2f35_77b3_4da6 && context.traceLow == 0xa3ce_929d_0e0e_4736)
        #expect(context.spanID == 0x00f0_67aa_0ba9_02b7 && context.sampled && context.state == "rojo=00f067aa0ba902b7")
        let unsampled = try #require(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"))
        #expect(!unsampled.sampled && unsampled.state == nil)
        // A later version may carry more after the flags.
        #expect(TraceContext(traceparent: "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra") != nil)
    }

    @Test("a malformed traceparent is no parent", arguments: [
        "", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
    ])
    func refuses(_ text: String) {
        #expect(TraceContext(traceparent: text) == nil)
    }

    @Test("a tracestate with control characters or over 512 bytes is dropped")
    func badState() throws {
        let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        #expect(try #require(TraceContext(traceparent: parent, tracestate: "a=b\nc")).state == nil)
        #expect(try #require(TraceContext(traceparent: parent, tracestate: String(repeating: "a", count: 513))).state == nil)
    }

    @Test("samplers: always, the trace id ratio (low 8 bytes against ratio x 2^64) and parent-based")
    func samplers() throws {
        #expect(Sampler.alwaysOn.samples(traceLow: .max, parent: nil))
        #expect(!Sampler.alwaysOff.samples(traceLow: 0, parent: nil))
        let half = Sampler.traceIDRatio(0.5)
        #expect(half.samples(traceLow: 0x7FFF_FFFF_FFFF_F000, parent: nil))
        #expect(!half.samples(traceLow: 0x8000_0000_0000_0000, parent: nil))
        let sampledParent = try #require(TraceContext(traceparent: "00-4bf92f3577b34da6ffffffffffffffff-00f067aa0ba902b7-01"))
        // traceidratio ignores the parent's flag; parentbased follows it.
        #expect(!half.samples(traceLow: sampledParent.traceLow, parent: sampledParent))
        #expect(Sampler.parentBased(root: .alwaysOff).samples(traceLow: 1, parent: sampledParent))
        var unsampledParent = sampledParent
        unsampledParent.sampled = false
        #expect(!Sampler.standard.samples(traceLow: 1, parent: unsampledParent))
        #expect(Sampler.standard.samples(traceLow: 1, parent: nil))
        #expect(Sampler(name: "parentbased_traceidratio", ratio: 0.25) == .parentBased(root: .traceIDRatio(0.25)))
        #expect(Sampler(name: "jaeger_remote", ratio: 1) == nil)
    }
}
