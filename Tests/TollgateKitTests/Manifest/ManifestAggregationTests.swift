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
}
