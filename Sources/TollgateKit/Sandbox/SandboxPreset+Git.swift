/// git's configuration: git stops when a configuration file, or a file one names, exists but
/// cannot be read, so every preset lets the server read them (git runs under most servers).
extension SandboxPreset {
    /// `/etc/gitconfig`, `~/.gitconfig`, `$XDG_CONFIG_HOME/git` and the files they name
    /// (`core.excludesFile`, `core.attributesFile`, `include.path`, `includeIf.*.path`, followed
    /// three levels deep). Files that do not exist are named all the same (the rule is skipped).
    static func gitConfigurationPaths(_ context: Context) -> [String] {
        let configHome = context.directory("XDG_CONFIG_HOME", orHome: ".config").map { $0 + "/git" }
        var paths = ["/etc/gitconfig"] + [context.home.map { $0 + "/.gitconfig" }, configHome].compactMap { $0 }
        var pending = ["/etc/gitconfig", context.home.map { $0 + "/.gitconfig" }, configHome.map { $0 + "/config" }].compactMap { $0 }
        for _ in 0..<3 where !pending.isEmpty {
            var named: [String] = []
            for file in pending {
                for path in namedFiles(in: file, home: context.home) where !paths.contains(path) {
                    paths.append(path)
                    named.append(path)
                }
            }
            pending = named
        }
        return paths
    }

    /// The files a git configuration file names (at most 64 KiB of it is read).
    static func namedFiles(in file: String, home: String?) -> [String] {
        guard let bytes = try? FileIO.read(file), bytes.count <= 64 * 1024 else { return [] }
        var files: [String] = []
        for line in String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].filter { $0 != " " && $0 != "\t" }.lowercased()
            guard key == "excludesfile" || key == "attributesfile" || key == "path" else { continue }
            var value = parts[1].drop { $0 == " " || $0 == "\t" }
            while let last = value.last, last == " " || last == "\t" { value.removeLast() }
            if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
            guard !value.isEmpty else { continue }
            var path = String(value)
            if path.hasPrefix("~/"), let home { path = home + path.dropFirst() }
            files.append(FileIO.absolute(path, base: FileIO.directory(of: file)))
        }
        return files
    }
}
