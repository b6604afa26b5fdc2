import Testing
@testable import TollgateKit

@Suite("Manifest: several servers (prefix, aggregation.separator)")
struct ManifestAggregationTests {
    @Test("several servers load in order, prefixed by default; prefix false and a separator are read")
    func loads() throws {
        let manifest = try parseManifest("""
            {"version": 1, "aggregation": {"separator": "."},
             "servers": {"git": {"command": "g"}, "time": {"command": "t", "prefix": false}}}
            """).get()
        #expect(manifest.servers.map(\.name) == ["git", "time"])
        #expect(manifest.servers.map(\.prefix) == [true, false])
        #expect(manifest.aggregation.separator == ".")
        #expect(try parseManifest(#"{"version": 1}"#).get().aggregation.separator == "__")
    }

    @Test("bad values fail closed with file:line and the key path", arguments: [
        (#"{"version": 1, "aggregation": {"separator": "/"}}"#, "aggregation.separator", 1),
        (#"{"version": 1, "aggregation": {"separator": "toolong123"}}"#, "aggregation.separator", 1),
        (#"{"version": 1, "aggregation": {"separater": "_"}}"#, "aggregation.separater", 1),
        ("{\"version\": 1,\n \"servers\": {\"a\": {\"command\": \"x\", \"prefix\": \"yes\"}}}", "servers.a.prefix", 2),
        ("{\"version\": 1, \"servers\": {\n\"a__b\": {\"command\": \"x\"}, \"c\": {\"command\": \"y\"}}}", "servers.a__b", 2),
    ])
    func rejects(source: String, path: String, line: Int) throws {
        guard case .failure(let error) = parseManifest(source) else {
            Issue.record("accepted: \(source)")
            return
        }
        let issue = try #require(error.issues.first { $0.path == path }, "\(error.issues)")
        #expect(issue.line == line)
    }

    @Test("a server name holding the separator is fine when it is not prefixed, or alone")
    func separatorInNames() throws {
        _ = try parseManifest(#"{"version": 1, "servers": {"a__b": {"command": "x", "prefix": false}, "c": {"command": "y"}}}"#).get()
        _ = try parseManifest(#"{"version": 1, "servers": {"a__b": {"command": "x"}}}"#).get()
    }

    @Test("a server's own tools section matches its own names, exposed under its prefix; its rules are named where they were written")
    func serverTools() throws {
        let manifest = try parseManifest("""
            {"version": 1, "policy": {"default": "allow"},
             "servers": {"git": {"command": "g", "tools": {"git_commit": {"allow": false, "reason": "people commit"}, "git_*": {}}},
                         "time": {"command": "t", "prefix": false, "tools": {"get_*": {}}}},
             "tools": {"git__*": {"allow": false}}}
            """).get()
        #expect(manifest.tools.map(\.pattern) == ["git__*", "git__git_commit", "git__git_*", "get_*"])
        #expect(manifest.tools.map(\.name) == ["tools.git__*", "servers.git.tools.git_commit", "servers.git.tools.git_*", "servers.time.tools.get_*"])
        var gate = PolicyGate(manifest: manifest, diagnostics: .silent, workingDirectory: "/tmp")
        guard case .deny(let denial) = gate.decide(try call("git__git_commit")) else {
            Issue.record("git__git_commit should be denied by the server's own rule")
            return
        }
        #expect(denial.rule == "servers.git.tools.git_commit" && denial.reason == "people commit")
        // The server's glob (literal prefix git__git_) is more specific than the top level's git__*.
        #expect(gate.decide(try call("git__git_status", id: 2)) == .forward)
        #expect(gate.decide(try call("git__other", id: 3)) != .forward)
        #expect(gate.decide(try call("get_time", id: 4)) == .forward)
    }

    @Test("a server's rule that exposes the same pattern as another is an error at its line")
    func serverToolsClash() throws {
        guard case .failure(let error) = parseManifest("""
            {"version": 1, "tools": {"git__git_log": {}},
             "servers": {"git": {"command": "g", "tools": {
               "git_log": {"allow": false}}}, "time": {"command": "t"}}}
            """) else {
            Issue.record("accepted a rule given twice")
            return
        }
        let issue = try #require(error.issues.first { $0.path == "servers.git.tools.git_log" }, "\(error.issues)")
        #expect(issue.line == 3 && issue.message.contains("like tools.git__git_log (line 1)"), "\(issue)")
    }
}
