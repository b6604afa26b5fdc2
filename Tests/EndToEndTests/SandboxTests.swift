import Foundation
import Testing
import TollgateKit
#if canImport(Glibc)
import Glibc
#endif

/// The sandbox on this machine's real kernel (Landlock, user and network namespaces,
/// capabilities), probed from inside by `sandbox_probe.py`: each probe is refused with the
/// sandbox and works without it, so no check is vacuous.
@Suite("Sandbox: Landlock, namespaces and capabilities, probed from inside", .timeLimit(.minutes(2)))
struct SandboxTests {
    /// The folders and files the probes aim at.
    struct Arena {
        let directory: TemporaryDirectory
        var readable: String { directory.path("readable") }
        var writable: String { directory.path("writable") }
        var outside: String { directory.path("outside") }
        var home: String { directory.path("home") }

        init(_ label: String) throws {
            directory = try TemporaryDirectory(label)
            for folder in ["readable", "writable", "outside", "home", "home/.ssh"] {
                try FileManager.default.createDirectory(atPath: directory.path(folder), withIntermediateDirectories: true)
            }
            _ = try writeFile("readable\n", named: "readable/file.txt", in: directory)
            _ = try writeFile("secret\n", named: "outside/secret.txt", in: directory)
            _ = try writeFile("-----BEGIN OPENSSH PRIVATE KEY-----\n", named: "home/.ssh/id_ed25519", in: directory)
            // A program in a write path: the sandbox must not let it run.
            try FileManager.default.copyItem(atPath: "/bin/true", toPath: directory.path("writable/program"))
            _ = try writeFile("chown me\n", named: "writable/owned.txt", in: directory)
        }

        /// The sandbox flags of `run` for this arena, with `network` flags.
        func sandboxOptions(_ network: [String] = []) -> [String] {
            ["--sandbox", "python", "--read", readable, "--read", Repository.fixtures, "--write", writable] + network
        }
    }

    /// Every probe that must be refused in the sandbox, with the errno it must get, and whether
    /// it is about capabilities (only Tollgate as root has them to lose).
    struct RefusedProbe {
        var what: String
        var kind: String
        var target: String?
        var port: Int?
        var child = false
        var errno: String
        var needsRoot = false
    }

    static func refusedProbes(_ arena: Arena, _ listeners: TestListeners, ownAddress: String) -> [RefusedProbe] {
        var probes = [
            RefusedProbe(what: "read outside the read paths", kind: "read", target: arena.outside + "/secret.txt", errno: "EACCES"),
            RefusedProbe(what: "write outside the write paths (in a read path)", kind: "write", target: arena.readable + "/new.txt", errno: "EACCES"),
            RefusedProbe(what: "write outside every path", kind: "write", target: arena.outside + "/new.txt", errno: "EACCES"),
            RefusedProbe(what: "list ~/.ssh", kind: "list", target: arena.home + "/.ssh", errno: "EACCES"),
            RefusedProbe(what: "execute a program in a write path", kind: "execute", target: arena.writable + "/program", errno: "EACCES"),
            // The server's loopback is its own namespace's: nothing listens there.
            RefusedProbe(what: "connect to a loopback port", kind: "connect", target: "127.0.0.1", port: listeners.tcpPort, errno: "ECONNREFUSED"),
            RefusedProbe(what: "connect directly to this machine's address", kind: "connect", target: ownAddress, port: listeners.tcpPort,
                         errno: "ENETUNREACH"),
            RefusedProbe(what: "send UDP", kind: "udp", target: ownAddress, port: listeners.udpPort, errno: "ENETUNREACH"),
            RefusedProbe(what: "change a file's owner (CAP_CHOWN)", kind: "chown", target: arena.writable + "/owned.txt", errno: "EPERM",
                         needsRoot: true),
        ]
        if SandboxKernel.landlockABI >= 6 {
            probes.append(RefusedProbe(what: "signal Tollgate (Landlock ABI 6 scoping)", kind: "signal", errno: "EPERM"))
        }
        // A process the server starts is held the same way.
        probes += [
            RefusedProbe(what: "a child reads outside", kind: "read", target: arena.outside + "/secret.txt", child: true, errno: "EACCES"),
            RefusedProbe(what: "a child writes outside", kind: "write", target: arena.outside + "/child.txt", child: true, errno: "EACCES"),
            RefusedProbe(what: "a child executes from a write path", kind: "execute", target: arena.writable + "/program", child: true,
                         errno: "EACCES"),
            RefusedProbe(what: "a child connects directly", kind: "connect", target: ownAddress, port: listeners.tcpPort, child: true,
                         errno: "ENETUNREACH"),
            RefusedProbe(what: "a child sends UDP", kind: "udp", target: ownAddress, port: listeners.udpPort, child: true, errno: "ENETUNREACH"),
        ]
        return probes
    }

    /// Runs every probe without a sandbox (each must work: the checks are not vacuous), then in
    /// one (each refused, the allowed paths working). `launcher` runs tollgate as another user.
    static func probeEverything(label: String, launcher: [String] = [], prepare: (Arena) throws -> Void = { _ in }) async throws {
        let python = try await probePython()
        let arena = try Arena(label)
        try prepare(arena)
        let listeners = try TestListeners(unixPath: arena.outside + "/agent.sock")
        let ownAddress = try TestListeners.ownAddress()
        let asRoot = launcher.isEmpty && geteuid() == 0
        let probes = Self.refusedProbes(arena, listeners, ownAddress: ownAddress).filter { !$0.needsRoot || asRoot }
        let environment: [String: String?] = ["HOME": arena.home]

        let open = try await ProbeSession(python: python, options: [], environment: environment, in: arena.directory, launcher: launcher)
        for probe in probes {
            let result = try await open.probe(probe.kind, probe.target, port: probe.port, child: probe.child)
            expectAllowed(result, "without a sandbox: \(probe.what)")
            if probe.kind == "udp" { #expect(listeners.datagramsReceived() == 1, "without a sandbox the datagram arrives: \(probe.what)") }
        }
        expectAllowed(try await open.probe("unix", listeners.unixPath), "without a sandbox: connect to a pathname Unix socket")
        #expect(try await open.finish() == 0)
        // The probes wrote and chowned; start again from the same files.
        try? FileManager.default.removeItem(atPath: arena.outside + "/new.txt")
        try? FileManager.default.removeItem(atPath: arena.outside + "/child.txt")
        try? FileManager.default.removeItem(atPath: arena.readable + "/new.txt")

        let sandboxed = try await ProbeSession(python: python, options: arena.sandboxOptions(), environment: environment, in: arena.directory,
                                               launcher: launcher)
        for probe in probes {
            let result = try await sandboxed.probe(probe.kind, probe.target, port: probe.port, child: probe.child)
            expectRefused(result, probe.errno, "in the sandbox: \(probe.what)")
        }
        #expect(listeners.datagramsReceived() == 0, "no datagram may leave the sandbox")
        for name in ["new.txt", "child.txt"] { #expect(!FileManager.default.fileExists(atPath: arena.outside + "/" + name), "\(name) written outside") }
        // What the sandbox grants works.
        expectAllowed(try await sandboxed.probe("read", arena.readable + "/file.txt"), "read in a read path")
        expectAllowed(try await sandboxed.probe("list", arena.readable), "list a read path")
        expectAllowed(try await sandboxed.probe("write", arena.writable + "/made.txt"), "write in a write path")
        expectAllowed(try await sandboxed.probe("read", arena.readable + "/file.txt", child: true), "a child reads in a read path")
        expectAllowed(try await sandboxed.probe("write", arena.writable + "/child.txt", child: true), "a child writes in a write path")
        #expect(FileManager.default.fileExists(atPath: arena.writable + "/made.txt"))
        // Documented gap: on Landlock ABI 7 connecting to a pathname Unix socket (ssh-agent's,
        // docker.sock) is not controlled; nothing but its file permissions stops it.
        expectAllowed(try await sandboxed.probe("unix", listeners.unixPath), "connect to a pathname Unix socket (not covered by Landlock ABI 7)")
        let capabilities = try await sandboxed.probe("capabilities")
        #expect(capabilities["detail"].strings?.allSatisfy { $0.hasSuffix("0000000000000000") } == true,
                "no capability is left, bounding set included: \(capabilities)")
        #expect(try await sandboxed.finish() == 0)
    }

    @Test("each probe works without a sandbox and is refused in one (Tollgate as root); what is granted works")
    func probesAsRoot() async throws {
        try await Self.probeEverything(label: "sandbox-root")
    }
}
