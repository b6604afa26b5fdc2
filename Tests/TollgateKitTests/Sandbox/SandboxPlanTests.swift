import Foundation
import Testing
@testable import TollgateKit

@Suite("Sandbox plans: rules, environment, presets")
struct SandboxPlanTests {
    /// A fresh folder, removed afterwards.
    private final class Folder {
        let path: String
        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-plan-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        func make(_ relative: String, contents: String? = nil, executable: Bool = false) throws -> String {
            let full = path + "/" + relative
            try FileManager.default.createDirectory(atPath: FileIO.directory(of: full), withIntermediateDirectories: true)
            if let contents {
                try Data(contents.utf8).write(to: URL(fileURLWithPath: full))
                if executable { chmod(full, 0o755) }
            } else {
                try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
            }
            return full
        }
    }

    private func plan(_ spec: SandboxSpec, _ arguments: [String] = ["/bin/true"], environment: [String: String] = ["HOME": "/nonexistent-home"]) throws -> SandboxPlan {
        try SandboxPlan.make(spec, arguments: arguments, environment: environment, workingDirectory: "/")
    }

    private func rules(_ plan: SandboxPlan, at path: String) -> [SandboxAccess] {
        plan.rules.filter { $0.path == path }.map(\.access)
    }

    @Test("allowHosts: the proxy variables (both cases) name the proxy, NO_PROXY is removed; none and allow leave the proxy variables alone")
    func proxyEnvironment() throws {
        let spec = SandboxSpec(preset: .binary, network: .allowHosts([HostPortPattern("a.example:443")!]))
        let environment = try plan(spec).environment(["NO_PROXY": "*", "no_proxy": "*", "HTTPS_PROXY": "http://corp:3128", "KEEP": "1"])
        for name in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"] {
            #expect(environment[name] == "http://127.0.0.1:3128", "\(name)")
        }
        #expect(environment["NO_PROXY"] == nil && environment["no_proxy"] == nil && environment["KEEP"] == "1")
        #expect(try plan(SandboxSpec(preset: .binary)).environment(["HTTPS_PROXY": "x"]) == ["HTTPS_PROXY": "x"])
    }

    @Test("uv and npm go offline unless their index is reachable: network none, or allowHosts without it")
    func offlineLaunchers() throws {
        let pypi = SandboxNetwork.allowHosts([HostPortPattern("pypi.org:443")!, HostPortPattern("files.pythonhosted.org:443")!])
        #expect(try plan(SandboxSpec(preset: .uv)).environment([:]) == ["UV_OFFLINE": "1"])
        #expect(try plan(SandboxSpec(preset: .uv, network: pypi)).environment([:])["UV_OFFLINE"] == nil)
        #expect(try plan(SandboxSpec(preset: .uv, network: .allowHosts([HostPortPattern("api.github.com:443")!]))).environment([:])["UV_OFFLINE"] == "1")
        #expect(try plan(SandboxSpec(preset: .uv, network: .allow)).environment([:])["UV_OFFLINE"] == nil)
        #expect(try plan(SandboxSpec(preset: .node)).environment([:]) == ["npm_config_offline": "true"])
        #expect(try plan(SandboxSpec(preset: .python)).environment([:]).isEmpty)
    }

    @Test("read gives read, write read+write (never execute), execute read+execute; a write path overlapping an executable one is refused")
    func accessAndOverlap() throws {
        let folder = try Folder()
        let spec = SandboxSpec(preset: .binary, read: [folder.path + "/r"], write: [folder.path + "/w"], execute: [folder.path + "/x"])
        let made = try plan(spec)
        #expect(rules(made, at: folder.path + "/r") == [.read])
        #expect(rules(made, at: folder.path + "/w") == [[.read, .write]])
        #expect(rules(made, at: folder.path + "/x") == [[.read, .execute]])
        #expect(!made.rules.contains { $0.access.contains(.write) && $0.access.contains(.execute) })
        for (write, execute) in [(folder.path, folder.path + "/x/bin"), (folder.path + "/x/tmp", folder.path + "/x"), ("/usr/local/share", "/nothing")] {
            #expect(throws: SandboxError.self, "write \(write) with execute \(execute)") {
                try plan(SandboxSpec(preset: .binary, write: [write], execute: [execute]))
            }
        }
    }

    @Test("the program, its #! interpreter and a virtualenv (with the interpreter it was made from) are granted read and execute")
    func programInstallation() throws {
        let folder = try Folder()
        let base = try folder.make("base/bin/python3", contents: "", executable: true)
        _ = try folder.make("base/lib/python3.12")
        _ = try folder.make("venv/pyvenv.cfg", contents: "home = \(folder.path)/base/bin\nversion = 3.12\n")
        let script = try folder.make("venv/bin/tool", contents: "#!\(folder.path)/venv/bin/python\nprint(1)\n", executable: true)
        _ = try folder.make("venv/bin/python", contents: "", executable: true)
        let made = try plan(SandboxSpec(preset: .python), ["tool"], environment: ["PATH": folder.path + "/venv/bin", "HOME": "/nonexistent-home"])
        #expect(rules(made, at: script) == [[.read, .execute]])
        #expect(rules(made, at: folder.path + "/venv/bin/python") == [[.read, .execute]])
        #expect(rules(made, at: folder.path + "/venv") == [[.read, .execute]], "\(made.rules.map(\.path))")
        #expect(rules(made, at: folder.path + "/base") == [[.read, .execute]], "\(made.rules.map(\.path))")
        _ = base
        // A home's own bin is not an installation: the home is never granted.
        let home = try folder.make("home/bin/tool", contents: "", executable: true)
        _ = try folder.make("home/lib/python3.12")
        let inHome = try plan(SandboxSpec(preset: .python), [home], environment: ["HOME": folder.path + "/home"])
        #expect(rules(inHome, at: folder.path + "/home").isEmpty && rules(inHome, at: home) == [[.read, .execute]])
    }

    @Test("git's configuration files and the files they name (excludesFile, attributesFile, include paths, ~ and relative) are readable")
    func gitConfiguration() throws {
        let folder = try Folder()
        _ = try folder.make("home/.gitconfig", contents: """
            [core]
            \texcludesFile = ~/.gitignore_global
            \tattributesfile = "attributes"
            [include]
            \tpath = extra.inc
            [user]
            \tname = Someone
            """)
        _ = try folder.make("home/extra.inc", contents: "[includeIf \"gitdir:~/work/\"]\n\tpath = /etc/work.gitconfig\n")
        let paths = SandboxPreset.gitConfigurationPaths(.init(arguments: [], environment: ["HOME": folder.path + "/home"], workingDirectory: "/"))
        #expect(Array(paths.prefix(3)) == ["/etc/gitconfig", folder.path + "/home/.gitconfig", folder.path + "/home/.config/git"], "\(paths)")
        for expected in [folder.path + "/home/.gitignore_global", folder.path + "/home/attributes", folder.path + "/home/extra.inc", "/etc/work.gitconfig"] {
            #expect(paths.contains(expected), "\(expected) in \(paths)")
        }
        #expect(!paths.contains { $0.hasSuffix("Someone") })
    }

    @Test("presets: the system's runtime for all (no /etc wholesale); uv's cache writable and executable; node's npm cache")
    func presets() throws {
        let environment = ["HOME": "/home/u", "XDG_CACHE_HOME": "/cache"]
        let uv = try plan(SandboxSpec(preset: .uv), environment: environment)
        #expect(rules(uv, at: "/usr") == [[.read, .execute]] && rules(uv, at: "/etc").isEmpty && rules(uv, at: "/etc/shadow").isEmpty)
        #expect(rules(uv, at: "/etc/ssl") == [.read] && rules(uv, at: "/dev/null") == [[.read, .writeFiles, .deviceControl]])
        #expect(rules(uv, at: "/cache/uv") == [[.read, .write, .execute]] && rules(uv, at: "/home/u/.local/share/uv") == [[.read, .write, .execute]])
        let node = try plan(SandboxSpec(preset: .node), environment: environment)
        #expect(rules(node, at: "/home/u/.npm") == [[.read, .write, .execute]] && rules(node, at: "/cache/uv").isEmpty)
        #expect(SandboxPreset.suggested(for: ["uvx", "mcp-server-git"]) == .uv && SandboxPreset.suggested(for: ["npx", "-y", "x"]) == .node
                && SandboxPreset.suggested(for: ["python3", "-m", "x"]) == .python && SandboxPreset.suggested(for: ["/bin/true"]) == .binary)
    }
}
