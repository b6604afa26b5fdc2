import Testing
@testable import TollgateKit

@Suite("HostServers: what a reloaded manifest changes")
struct HostServersTests {
    func servers(_ manifest: String, configure: @escaping @Sendable (Manifest.Server) -> Result<ChildProcess.Configuration, ReloadRefusal> = {
        .success(ChildProcess.Configuration(arguments: $0.arguments))
    }) throws -> HostServers {
        let entries = try parseManifest(manifest).get().servers
        var relay = HostRelay(servers: entries.map { ChildProcess.Configuration(arguments: $0.arguments) })
        relay.entries = entries
        relay.configure = configure
        return HostServers(relay: relay, now: 0)
    }

    @Test("added, removed, changed (process settings) and updated in place (restart settings) are told apart")
    func plan() throws {
        let pool = try servers(#"{"version": 1, "servers": {"a": {"command": "a"}, "b": {"command": "b"}, "c": {"command": "c"}}}"#)
        let new = try parseManifest(#"{"version": 1, "servers": {"a": {"command": "a", "args": ["--new"]}, "c": {"command": "c", "maxRestarts": 1}, "d": {"command": "d"}}}"#).get()
        let changes = try pool.plan(new)
        #expect(changes.removed == [1])
        #expect(changes.changed.map { $0.0 } == [0] && changes.changed.first?.2.arguments == ["a", "--new"])
        #expect(changes.updated.map { $0.0 } == [2] && changes.updated.first?.1.restart.maxRestarts == 1)
        #expect(changes.added.map { $0.0.name } == ["d"])
        let same = try pool.plan(try parseManifest(#"{"version": 1, "servers": {"a": {"command": "a"}, "b": {"command": "b"}, "c": {"command": "c"}}}"#).get())
        #expect(same.added.isEmpty && same.removed.isEmpty && same.changed.isEmpty && same.updated.isEmpty)
    }

    @Test("a server that cannot be configured refuses the whole reload")
    func refused() throws {
        let pool = try servers(#"{"version": 1, "servers": {"a": {"command": "a"}, "b": {"command": "b"}}}"#) { server in
            server.name == "x" ? .failure(ReloadRefusal(problems: ["server x cannot be started: $TOKEN is not set"])) : .success(ChildProcess.Configuration(arguments: server.arguments))
        }
        #expect(throws: ReloadRefusal(problems: ["server x cannot be started: $TOKEN is not set"])) {
            try pool.plan(try parseManifest(#"{"version": 1, "servers": {"a": {"command": "a"}, "x": {"command": "x"}}}"#).get())
        }
    }
}
