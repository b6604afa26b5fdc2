#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The paths each preset grants. Paths that do not exist on this machine are skipped.
extension SandboxPreset {
    /// What a preset's paths depend on: the server's command, environment and working directory.
    struct Context {
        var arguments: [String]
        var environment: [String: String]
        var workingDirectory: String

        /// The user's home: `HOME`, else the password database's.
        var home: String? {
            if let home = environment["HOME"], home.hasPrefix("/") { return home }
            guard let entry = getpwuid(geteuid()), let directory = entry.pointee.pw_dir else { return nil }
            return String(cString: directory)
        }

        /// `variable` when set to an absolute path, else `fallback` under the home.
        func directory(_ variable: String, orHome fallback: String) -> String? {
            if let value = environment[variable], value.hasPrefix("/") { return value }
            return home.map { $0 + "/" + fallback }
        }

        /// The program the command runs, found as exec will find it.
        var program: String? {
            arguments.first.flatMap { ProgramFile.locate($0, searchPath: environment["PATH"], workingDirectory: workingDirectory) }
        }
    }

    /// Every preset's: the system's programs and libraries (read and execute), the files of `/etc`
    /// that the C library, TLS and time zones read (not all of `/etc`: no `shadow`, no `sudoers`),
    /// git's configuration and the files it names (``gitConfigurationPaths(_:)``), the harmless devices, and CPU and memory information. (The server's own `/proc/PID` is granted
    /// when the child enters the sandbox.)
    static func systemRules(_ context: Context) -> [SandboxRule] {
        var rules: [SandboxRule] = []
        func add(_ paths: [String?], _ access: SandboxAccess) {
            rules += paths.compactMap { $0 }.map { SandboxRule(path: $0, access: access, origin: "the system's runtime", optional: true) }
        }
        add(["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"], [.read, .execute])
        add(["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/timezone", "/etc/ssl", "/etc/ca-certificates",
             "/etc/pki", "/etc/resolv.conf", "/etc/hosts", "/etc/host.conf", "/etc/nsswitch.conf", "/etc/gai.conf", "/etc/services",
             "/etc/protocols", "/etc/passwd", "/etc/group", "/etc/mime.types", "/etc/os-release", "/etc/alternatives",
             "/sys/devices/system/cpu", "/proc/cpuinfo", "/proc/meminfo", "/proc/stat"], .read)
        add(gitConfigurationPaths(context), .read)
        add(["/dev/null", "/dev/zero", "/dev/full"], [.read, .writeFiles, .deviceControl])
        add(["/dev/random", "/dev/urandom"], [.read, .deviceControl])
        return rules
    }

    /// The paths of this preset for the server `context` describes.
    func rules(_ context: Context) -> [SandboxRule] {
        let origin = "preset \(rawValue)"
        var rules = Self.programRules(context)
        func add(_ path: String?, _ access: SandboxAccess) {
            if let path { rules.append(SandboxRule(path: path, access: access, origin: origin, optional: true)) }
        }
        switch self {
        case .binary:
            break
        case .python, .uv:
            add(context.home.map { $0 + "/.local/lib" }, .read)  // pip install --user
            if self == .uv {
                add(context.environment["UV_CACHE_DIR"] ?? context.directory("XDG_CACHE_HOME", orHome: ".cache").map { $0 + "/uv" }, [.read, .write, .execute])
                // uv's own interpreters and tools (uvx makes its temporary files there).
                add(context.directory("XDG_DATA_HOME", orHome: ".local/share").map { $0 + "/uv" }, [.read, .write, .execute])
                add(context.environment["UV_PYTHON_INSTALL_DIR"], [.read, .execute])
                add(context.directory("XDG_CONFIG_HOME", orHome: ".config").map { $0 + "/uv" }, .read)
                add("/etc/uv", .read)
                // uvx runs the uv beside it.
                if let program = context.program { add(FileIO.directory(of: program) + "/uv", [.read, .execute]) }
            }
        case .node:
            add(context.home.map { $0 + "/.npm" }, [.read, .write, .execute])  // npx installs and runs packages there
            add("/usr/local/lib/node_modules", .read)
            add(context.home.map { $0 + "/.npmrc" }, .read)
        }
        return rules
    }

    /// Variables a preset sets: an offline switch when the sandbox cannot reach the launcher's
    /// index (no network, or `allowHosts` without it), so the launcher runs what its cache holds
    /// instead of failing to reach the index (uv: `UV_OFFLINE=1` unless `pypi.org:443` is allowed;
    /// node: `npm_config_offline=true` unless `registry.npmjs.org:443` is).
    func variables(for network: SandboxNetwork) -> [(name: String, value: String)] {
        let index: (host: String, variable: String, value: String)
        switch self {
        case .uv: index = ("pypi.org", "UV_OFFLINE", "1")
        case .node: index = ("registry.npmjs.org", "npm_config_offline", "true")
        case .python, .binary: return []
        }
        switch network {
        case .allow: return []
        case .none: return [(index.variable, index.value)]
        case .allowHosts(let patterns):
            guard case .success(let host) = URLHost.parse("https://\(index.host)/") else { return [] }
            return patterns.contains { $0.matches(host, port: 443) } ? [] : [(index.variable, index.value)]
        }
    }

    /// The program (read and execute), the interpreter its `#!` line names, and the installation
    /// either lives in (read and execute): a virtualenv (and the interpreter it was made from), a
    /// prefix holding `lib/python*` or `lib/node_modules`, or the root of a version manager whose
    /// shim it is (pyenv's `~/.pyenv`); never `/`, the home or a folder above it.
    static func programRules(_ context: Context) -> [SandboxRule] {
        guard let program = context.program else { return [] }
        var files = [program]
        if let interpreter = ProgramFile.interpreter(ofScript: program, searchPath: context.environment["PATH"]) { files.append(interpreter) }
        var rules: [SandboxRule] = []
        var prefixes: [String] = []
        for file in files {
            rules.append(SandboxRule(path: file, access: [.read, .execute], origin: "the program", optional: false))
            for candidate in [file, FileIO.realPath(file)].compactMap({ $0 }) {
                guard let prefix = installationPrefix(of: candidate, home: context.home), !prefixes.contains(prefix) else { continue }
                prefixes.append(prefix)
                // A virtualenv names the interpreter it was made from (`home = /usr/bin`).
                if let base = virtualenvHome(prefix).flatMap({ installationPrefix(of: $0 + "/python", home: context.home) }), !prefixes.contains(base) {
                    prefixes.append(base)
                }
            }
        }
        rules += prefixes.map { SandboxRule(path: $0, access: [.read, .execute], origin: "the program's installation", optional: true) }
        return rules
    }

    /// The installation `file` belongs to (`PREFIX/bin/file`), when it looks like one; for a
    /// version manager's shim (`ROOT/shims/python3`: pyenv, asdf) the manager's root.
    static func installationPrefix(of file: String, home: String?) -> String? {
        let bin = FileIO.directory(of: file)
        let prefix = FileIO.directory(of: bin)
        guard bin.hasSuffix("/bin") || bin.hasSuffix("/shims"), prefix != "/", prefix.hasPrefix("/") else { return nil }
        if let home, PathWithin.isWithin(Array(home.utf8), Array(prefix.utf8)) { return nil }
        if bin.hasSuffix("/shims") { return FileIO.isDirectory(prefix + "/versions") || FileIO.isDirectory(prefix + "/installs") ? prefix : nil }
        if FileIO.exists(prefix + "/pyvenv.cfg") || FileIO.isDirectory(prefix + "/lib/node_modules") { return prefix }
        return holdsPythonLibrary(prefix + "/lib") ? prefix : nil
    }

    /// Whether `directory` holds an entry named `python…` (`lib/python3.12`).
    static func holdsPythonLibrary(_ directory: String) -> Bool {
        guard let stream = opendir(directory) else { return false }
        defer { closedir(stream) }
        while let entry = readdir(stream) {
            let found = withUnsafeBytes(of: entry.pointee.d_name) { name in name.starts(with: Array("python".utf8)) }
            if found { return true }
        }
        return false
    }

    /// The `home` a virtualenv's `pyvenv.cfg` names (the folder of the interpreter it was made from).
    static func virtualenvHome(_ prefix: String) -> String? {
        guard let bytes = try? FileIO.read(prefix + "/pyvenv.cfg") else { return nil }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingSpaces == "home" else { continue }
            let value = String(parts[1].trimmingSpaces)
            return value.hasPrefix("/") ? value : nil
        }
        return nil
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text.removeLast() }
        return text
    }
}
