import Testing
@testable import TollgateKit

@Suite("Manifest servers: env and limits")
struct ManifestServerTests {
    private func server(_ entry: String, environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> Manifest.Server {
        let loaded = try? parseManifest(#"{"version": 1, "servers": {"s": \#(entry)}}"#, environment: environment).get()
        return try #require(loaded?.servers.first, sourceLocation: sourceLocation)
    }

    @Test("inherit false: only the named variables, literal or copied from Tollgate's environment (\"$NAME\" and \"${NAME}\")")
    func isolated() throws {
        let parent = ["PATH": "/usr/bin", "SERVICE_TOKEN": "t0k", "AWS_SECRET_ACCESS_KEY": "planted", "HOME": "/root"]
        let entry = try server("""
            {"command": "srv", "env": {"inherit": false, "PATH": "$PATH", "TOKEN": "${SERVICE_TOKEN}", "MODE": "fast", "PRICE": "$$5",
                                       "DATA": "${HOME}/data", "LEVEL": "${LOG_LEVEL:-warn}"}}
            """, environment: parent)
        #expect(entry.environment.inherit == false)
        let resolved = entry.environment.resolve(parent: parent)
        #expect(resolved == ["PATH": "/usr/bin", "TOKEN": "t0k", "MODE": "fast", "PRICE": "$5", "DATA": "/root/data", "LEVEL": "warn"])
    }

    @Test("by default the variables are added to Tollgate's environment; nothing set means Tollgate's own")
    func inherited() throws {
        let entry = try server(#"{"command": "srv", "env": {"MODE": "fast", "HOME": "/srv"}}"#)
        let resolved = entry.environment.resolve(parent: ["HOME": "/root", "USER": "u"])
        #expect(resolved == ["HOME": "/srv", "USER": "u", "MODE": "fast"])
        #expect(try server(#"{"command": "srv"}"#).environment.resolve(parent: ["A": "1"]) == nil)
    }

    @Test("a $NAME that Tollgate's environment lacks is a manifest error naming the entry, its line and the variable")
    func missingParentVariable() throws {
        let issues = manifestIssues("""
            {"version": 1, "servers": {"s": {"command": "srv",
             "env": {"inherit": false, "TOKEN": "$NOT_SET_ANYWHERE"}}}}
            """)
        #expect(issues.count == 1, "\(issues)")
        #expect(issues.first?.description.hasPrefix("test.json:2:37: servers.s.env.TOKEN: ${NOT_SET_ANYWHERE} is not set") == true, "\(issues)")
    }

    @Test("bad env and limits values are refused with the path and what is expected")
    func badValues() {
        let issues = manifestIssues("""
            {"version": 1, "servers": {"s": {"command": "srv",
              "env": {"inherit": "no", "A": 1, "B": "$1X", "C=D": "x"},
              "limits": {"memoryMB": 0, "cpuSecond": 5, "openFiles": "many"}}}}
            """)
        let byPath = Dictionary(issues.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byPath["servers.s.env.inherit"]?.message.contains("expected true") == true, "\(issues)")
        #expect(byPath["servers.s.env.A"]?.message.contains("expected a string") == true)
        #expect(byPath["servers.s.env.B"]?.message.contains("after '$' expected a variable name") == true)
        #expect(byPath["servers.s.env.\"C=D\""]?.message.contains("without '='") == true, "\(byPath.keys)")
        #expect(byPath["servers.s.limits.memoryMB"]?.message.contains("whole number from 1") == true)
        #expect(byPath["servers.s.limits.cpuSecond"]?.message.contains(#"did you mean "cpuSeconds"?"#) == true)
        #expect(byPath["servers.s.limits.openFiles"] != nil)
        #expect(byPath["servers.s.env.A"]?.line == 2 && byPath["servers.s.limits.memoryMB"]?.line == 3)
    }

    @Test("startTimeoutSeconds: 60 s by default, fractions allowed, a bad value refused with its path")
    func startTimeout() throws {
        #expect(try server(#"{"command": "srv"}"#).startTimeoutMilliseconds == 60_000)
        #expect(try server(#"{"command": "srv", "startTimeoutSeconds": 2.5}"#).startTimeoutMilliseconds == 2_500)
        let issues = manifestIssues(#"{"version": 1, "servers": {"s": {"command": "srv", "startTimeoutSeconds": 0}}}"#)
        #expect(issues.contains { $0.path == "servers.s.startTimeoutSeconds" && $0.message.contains("above 0") }, "\(issues)")
    }

    @Test("limits load, and command-line flags override them one by one")
    func limits() throws {
        let entry = try server(#"{"command": "srv", "limits": {"memoryMB": 256, "cpuSeconds": 5, "openFiles": 64, "processes": 32}}"#)
        #expect(entry.limits == ResourceLimits(memoryMB: 256, cpuSeconds: 5, openFiles: 64, processes: 32))
        #expect(entry.limits.overridden(by: ResourceLimits(cpuSeconds: 1)) == ResourceLimits(memoryMB: 256, cpuSeconds: 1, openFiles: 64, processes: 32))
        #expect(entry.limits.summary == "memoryMB 256, cpuSeconds 5, openFiles 64, processes 32")
    }
}
