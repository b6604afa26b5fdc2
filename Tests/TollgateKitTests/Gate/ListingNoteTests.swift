import Testing
@testable import TollgateKit

/// What the gate says about the server's first complete tool listing.
@Suite("Listing note")
struct ListingNoteTests {
    /// A gate of `manifest` whose diagnostics go to `sink`.
    private func gate(_ manifest: String, _ sink: LogSink) throws -> PolicyGate {
        let loaded = try #require(try? parseManifest(manifest, file: "time.json").get())
        return PolicyGate(manifest: loaded, diagnostics: sink.diagnostics, workingDirectory: "/tmp")
    }

    private func listing(_ names: [String], cursor: String? = nil) -> JSONObject {
        var result: JSONObject = ["tools": .array(names.map { .object(["name": .string($0), "inputSchema": .object(["type": "object"])]) })]
        if let cursor { result["nextCursor"] = .string(cursor) }
        return result
    }

    static let gitTools = ["git_status", "git_diff_unstaged", "git_diff_staged", "git_diff", "git_commit", "git_add", "git_reset",
                           "git_log", "git_create_branch", "git_checkout", "git_show", "git_branch"]

    @Test("rules for another server: a warning naming the tools they all miss, once, at the end of the first complete listing")
    func noRuleMatches() throws {
        let sink = LogSink()
        var gate = try gate(#"{"version": 1, "tools": {"get_current_time": {}, "convert_time": {}}}"#, sink)
        _ = gate.filterToolList(listing(Array(Self.gitTools.prefix(6)), cursor: "2"))
        #expect(sink.lines.isEmpty, "nothing before the listing is complete: \(sink.lines)")
        #expect(gate.filterToolList(listing(Array(Self.gitTools.dropFirst(6)))) != nil)
        #expect(sink.lines == [
            "none of the 2 tool rules of time.json matches a tool the server lists (git_status, git_diff_unstaged, git_diff_staged, git_diff, "
                + "git_commit, git_add, git_reset, git_log, and 4 more), so policy.default \"deny\" hides all of them: is it the manifest for this server?",
            "the server lists 12 tools: the manifest offers 0 and hides 12 (git_status, git_diff_unstaged, git_diff_staged, git_diff, git_commit, "
                + "git_add, git_reset, git_log, and 4 more)",
        ], "\(sink.lines)")
        _ = gate.filterToolList(listing(Self.gitTools))
        #expect(sink.lines.count == 2, "said once: \(sink.lines)")
    }

    @Test("rules that match: no warning, and what is offered and hidden")
    func someRulesMatch() throws {
        let sink = LogSink()
        var gate = try gate(#"{"version": 1, "tools": {"git_status": {}, "git_commit": {"allow": false}}}"#, sink)
        _ = gate.filterToolList(listing(["git_status", "git_commit", "git_log"]))
        #expect(sink.lines == ["the server lists 3 tools: the manifest offers 1 and hides 2 (git_commit, git_log)"])
    }

    @Test("monitor mode says what would be hidden; default allow says the tools pass unchecked")
    func monitorAndDefaultAllow() throws {
        let sink = LogSink()
        var gate = try gate(#"{"version": 1, "policy": {"mode": "monitor", "default": "allow"}, "tools": {"other": {"allow": false}}}"#, sink)
        _ = gate.filterToolList(listing(["a", "b"]))
        #expect(sink.lines == [
            "none of the 1 tool rules of time.json matches a tool the server lists (a, b), so policy.default \"allow\" lets all of them through unchecked: is it the manifest for this server?",
            "the server lists 2 tools: the manifest offers 2 and would hide none",
        ], "\(sink.lines)")
    }

    @Test("a manifest without rules warns of nothing")
    func noRules() throws {
        let sink = LogSink()
        var gate = try gate(#"{"version": 1, "policy": {"default": "allow"}}"#, sink)
        _ = gate.filterToolList(listing(["a"]))
        #expect(sink.lines == ["the server lists 1 tool: the manifest offers 1 and hides none"])
    }
}
