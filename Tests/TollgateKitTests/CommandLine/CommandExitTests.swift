#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TollgateKit

/// An error no command knows of.
private struct UnforeseenError: Error, CustomStringConvertible {
    var description: String { "something unforeseen" }
}

/// `CommandExit` is the one place an error becomes a message and an exit code (the table of
/// `tollgate --help`: 1 runtime failure, 2 usage or manifest error, 126/127 a server that cannot start).
@Suite("CommandExit")
struct CommandExitTests {
    @Test("a usage error exits 2 with the hint to run --help; help asked for exits 0 with the help")
    func commandLine() {
        #expect(CommandExit(CommandLineError.usage("missing command")) == CommandExit(message: "missing command", exitCode: 2, showsUsage: true))
        #expect(CommandExit(CommandLineError.helpRequested(Usage.run)) == CommandExit(message: Usage.run, exitCode: 0))
    }

    @Test("a command's failure exits 2 when the manifest or command line must change, 1 when something failed")
    func commandFailure() {
        #expect(CommandExit(CommandFailure.unusable("m.json: names no server")) == CommandExit(message: "m.json: names no server", exitCode: 2))
        #expect(CommandExit(CommandFailure.failed("budget show: cannot read")) == CommandExit(message: "budget show: cannot read", exitCode: 1))
    }

    @Test("a manifest error exits 2 with every problem, their count and what it means")
    func manifestError() {
        let issues = [ManifestIssue(file: "m.json", line: 1, column: 13, path: "version", message: "expected 1, found 3"),
                      ManifestIssue(file: "m.json", line: 0, column: 0, path: "", message: "no rules")]
        let thrown = CommandExit(ManifestError(issues))
        #expect(thrown.exitCode == 2 && !thrown.showsUsage)
        #expect(thrown.message == "m.json:1:13: version: expected 1, found 3\nm.json: no rules\nm.json: 2 problems; Tollgate will not start with this manifest")
        let pinned = CommandExit(CommandFailure.unusable(ManifestError(Array(issues.prefix(1))), consequence: "no pin was written"))
        #expect(pinned.message == "m.json:1:13: version: expected 1, found 3\nm.json: 1 problem; no pin was written" && pinned.exitCode == 2)
    }

    @Test("a server command that cannot start exits as a shell would: 127 not found, 126 not runnable")
    func spawnError() {
        let missing = CommandExit(SpawnError(command: "nope", step: .exec, errno: ENOENT))
        #expect(missing.exitCode == 127 && missing.message == "cannot start 'nope': No such file or directory")
        #expect(CommandExit(SpawnError(command: "x", step: .exec, errno: EACCES)).exitCode == 126)
        #expect(CommandExit(SpawnError(command: "x", step: .changeDirectory, errno: ENOENT)).exitCode == 126)
    }

    @Test("any other error is a runtime failure: exit 1 with its description")
    func unforeseen() {
        #expect(CommandExit(UnforeseenError()) == CommandExit(message: "something unforeseen", exitCode: 1))
    }
}
