import Foundation
import Testing
@testable import TollgateKit

/// `tollgate check`'s warnings: what a manifest names that is missing where it would run.
@Suite("Manifest preflight")
struct ManifestPreflightTests {
    @Test("missing cwd, a program not on PATH or not there, a missing pathWithin directory or approver; present ones pass")
    func warnings() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("preflight-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/bin", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try #require(FileManager.default.createFile(atPath: directory + "/bin/tool", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
        try #require(FileManager.default.createFile(atPath: directory + "/notes.txt", contents: Data(), attributes: [.posixPermissions: 0o644]))
        let manifest = try parseManifest("""
            {"version": 1,
             "servers": {"a": {"command": "tool", "env": {"PATH": "bin"}},
                         "b": {"command": "no-such-program-anywhere", "cwd": "missing"},
                         "c": {"command": "./notes.txt"},
                         "d": {"command": "bin/tool"}},
             "tools": {"a__t": {"approval": {"command": ["./approve.sh"]},
                                "arguments": {"properties": {"p": {"pathWithin": ["bin", "gone"]}}}}}}
            """, file: directory + "/m.json", environment: ["PATH": "/nonexistent"]).get()
        let warnings = ManifestPreflight.warnings(for: manifest).map { "\($0.line): \($0.path): \($0.message)" }
        #expect(warnings == [
            "3: servers.b.command: the program no-such-program-anywhere is not on PATH (/nonexistent)",
            "3: servers.b.cwd: the directory \(directory)/missing does not exist",
            "4: servers.c.command: \(directory)/notes.txt is not an executable file",
            "6: tools.a__t.approval.command[0]: the program \(directory)/approve.sh does not exist",
            "7: tools.a__t.arguments.properties.p.pathWithin[1]: the directory \(directory)/gone does not exist",
        ], "\(warnings)")
    }
}
