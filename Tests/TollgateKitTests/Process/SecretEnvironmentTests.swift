import CTollgateSupport
import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Secret environment")
struct SecretEnvironmentTests {
    static let key = AuditKey.environmentVariable

    @Test("the audit key is in the one list of secrets")
    func list() {
        #expect(SecretEnvironment.variables.contains(Self.key))
        #expect(SecretEnvironment.isSecret(Self.key))
        #expect(!SecretEnvironment.isSecret(Self.key + "_FILE") && !SecretEnvironment.isSecret("PATH"))
    }

    @Test("filtering removes exactly the secret names, compared byte for byte")
    func filtering() {
        let environment = [Self.key: "s3cret", Self.key + "_FILE": "/etc/key", "PATH": "/usr/bin", "tollgate_audit_key": "lower"]
        let filtered = SecretEnvironment.filtered(environment, withholding: SecretEnvironment.variables)
        #expect(filtered == [Self.key + "_FILE": "/etc/key", "PATH": "/usr/bin", "tollgate_audit_key": "lower"])
        // U+212A KELVIN SIGN is canonically equivalent to "K" for Swift's ==, but another name.
        let kelvin = "TOLLGATE_AUDIT_\u{212A}EY"
        #expect(SecretEnvironment.filtered([kelvin: "x"], withholding: SecretEnvironment.variables) == [kelvin: "x"])
        #expect(!SecretEnvironment.isSecret(kelvin))
        #expect(SecretEnvironment.filtered(["REDIS_PASSWORD": "p", "A": "1"], withholding: ["REDIS_PASSWORD"]) == ["A": "1"])
    }

    @Test("a child's configured environment loses the secrets")
    func configuredChild() {
        let child = SecretEnvironment.forChild([Self.key: "s3cret", "HOME": "/srv"])
        #expect(child == ["HOME": "/srv"])
    }

    @Test("take copies the first value out and overwrites every value of the name in place with NULs")
    func takeInPlace() {
        let texts = ["A=1", "\(Self.key)=s3cret", "\(Self.key)_FILE=/x", "\(Self.key)=second", Self.key, "B=\(Self.key)=no"]
        let strings = texts.map { strdup($0)! }
        defer { strings.forEach { free($0) } }
        var block: [UnsafeMutablePointer<CChar>?] = strings + [nil]
        let values = block.withUnsafeMutableBufferPointer { SecretEnvironment.take([Self.key, "A", "MISSING"], from: $0.baseAddress) }
        #expect(values == ["s3cret", "1", nil])
        func bytes(_ index: Int) -> [UInt8] {
            Array(UnsafeRawBufferPointer(start: strings[index], count: texts[index].utf8.count)).map { $0 }
        }
        #expect(bytes(1) == Array("\(Self.key)=".utf8) + [UInt8](repeating: 0, count: 6))
        #expect(bytes(3) == Array("\(Self.key)=".utf8) + [UInt8](repeating: 0, count: 6))
        #expect(bytes(0) == Array("A=".utf8) + [0], "A was taken too")
        #expect(bytes(2) == Array(texts[2].utf8), "another name that starts like it")
        #expect(bytes(4) == Array(texts[4].utf8) && bytes(5) == Array(texts[5].utf8))
    }

    @Test("a manifest may neither give a server a variable named after a secret nor refer to one, anywhere")
    func manifestEnvironment() throws {
        let cases = [(#""env": {"K": "$\#(Self.key)"}"#, "servers.s.env.K"), (#""env": {"K": "x${\#(Self.key)}"}"#, "servers.s.env.K"),
                     (#""env": {"\#(Self.key)": "mine"}"#, "servers.s.env.\(Self.key)"), (#""args": ["${\#(Self.key):-none}"]"#, "servers.s.args[0]")]
        for (entry, path) in cases {
            let issues = manifestIssues(#"{"version": 1, "servers": {"s": {"command": "srv", \#(entry)}}}"#)
            #expect(issues.count == 1 && issues.first?.path == path && issues.first?.message.hasPrefix("\(Self.key) holds a secret of Tollgate's own") == true,
                    "\(entry): \(issues)")
        }
    }

    @Test("in a process of its own: the value is kept, gone from the environment, from /proc/self/environ and from children, and the process is not dumpable")
    func inAProcess() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let report = scratch.file("report")
        var environment = FileIO.environment()
        environment[SecretEnvironmentProcess.reportVariable] = report
        environment[SecretEnvironmentProcess.secretVariable] = SecretEnvironmentProcess.secretValue
        let child = try #require(try HelperProcess.start(filter: "SecretEnvironmentProcess", environment: environment),
                                 "the helper runs this test binary again: \(CommandLine.arguments[0])")
        #expect(HelperProcess.finish(child) == .exited(0))
        let lines = text(try FileIO.read(report)).split(separator: "\n").map(String.init)
        #expect(lines == [
            "found: true", "value: \(SecretEnvironmentProcess.secretValue)", "getenv: nil",
            "/proc/self/environ has the value: false", "/proc/self/environ has the name, its value NULs: true",
            "dumpable before: 1", "dumpable after: 0", "a child sees it (set again): false", "a child sees another: true",
        ])
    }
}

/// Runs inside a helper process started by ``SecretEnvironmentTests/inAProcess()``: withholds a
/// variable in this process and reports what can still be seen. Does nothing in a normal test run.
@Suite("Secret environment: helper process")
struct SecretEnvironmentProcess {
    static let reportVariable = "TOLLGATE_SECRET_TEST_REPORT"
    static let secretVariable = "TOLLGATE_SECRET_TEST_VALUE"
    static let secretValue = "v4lue-only-the-helper-may-know"

    @Test("withholds a variable when started as a helper process")
    func withholdHere() throws {
        guard let report = getenv(Self.reportVariable).map({ String(cString: $0) }) else { return }
        let dumpableBefore = tg_is_dumpable()
        let found = SecretEnvironment.withhold([Self.secretVariable])
        let unset = getenv(Self.secretVariable) == nil
        let environ = try FileIO.read("/proc/self/environ")
        let name = Array("\(Self.secretVariable)=".utf8)
        let entry = environ.split(separator: 0, omittingEmptySubsequences: false).firstIndex { Array($0) == name }
        let emptied = entry.map { index in
            let parts = environ.split(separator: 0, omittingEmptySubsequences: false)
            let value = parts[(index + 1)...].prefix(Self.secretValue.utf8.count)
            return value.count == Self.secretValue.utf8.count && value.allSatisfy(\.isEmpty)
        } ?? false
        // Set again (as a library might): a child still does not get it.
        setenv(Self.secretVariable, Self.secretValue, 1)
        setenv("TOLLGATE_SECRET_TEST_OTHER", "visible", 1)
        let child = try ChildProcess.spawn(ChildProcess.Configuration(arguments: ["/usr/bin/env"]))
        close(child.input)
        let childEnvironment = text(readToEnd(child.output))
        close(child.output)
        while child.reap() == nil { usleep(1000) }
        let lines = [
            "found: \(found)",
            "value: \(SecretEnvironment.value(of: Self.secretVariable) ?? "nil")",
            "getenv: \(unset ? "nil" : "set")",
            "/proc/self/environ has the value: \(text(environ).contains(Self.secretValue))",
            "/proc/self/environ has the name, its value NULs: \(emptied)",
            "dumpable before: \(dumpableBefore)",
            "dumpable after: \(tg_is_dumpable())",
            "a child sees it (set again): \(childEnvironment.contains(Self.secretVariable))",
            "a child sees another: \(childEnvironment.contains("TOLLGATE_SECRET_TEST_OTHER=visible"))",
        ]
        auditWriteFile(report, bytes(lines.joined(separator: "\n") + "\n"))
    }
}
