/// The sandbox `tollgate init` proposes: the preset the command suggests, the working directory
/// read-only, and no network unless the tools suggest they use it.
extension StarterManifest {
    /// What the tools' names, descriptions and argument names suggest about the network: the
    /// tools that mention it in a whole word (`fetch`, `url`, `http`, `web`, `api`, …; `fetch_url`
    /// counts, `during` does not), by name; empty when none does.
    public static func networkTools(_ tools: [JSONObject]) -> [String] {
        let words = ["fetch", "http", "https", "url", "urls", "uri", "web", "website", "download", "upload", "browse", "browser", "search",
                     "internet", "online", "webhook", "api", "endpoint", "request", "requests"].map { Array($0.utf8) }
        return tools.compactMap { tool in
            guard let name = tool["name"]?.stringValue else { return nil }
            var text = name + " " + (tool["description"]?.stringValue ?? "")
            if let properties = tool["inputSchema"]?.objectValue?["properties"]?.objectValue { text += " " + properties.keys.joined(separator: " ") }
            let found = Array(text.utf8).map(URLHost.lowercased)
                .split { !(($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))) }
                .contains { word in words.contains { $0.elementsEqual(word) } }
            return found ? name : nil
        }
    }

    /// The proposed `sandbox` section for `command` run in `workingDirectory` with `tools`.
    public static func proposedSandbox(command: [String], workingDirectory: String, tools: [JSONObject]) -> JSONValue {
        let network: JSONValue = networkTools(tools).isEmpty ? "none" : "allow"
        return ["preset": .string(SandboxPreset.suggested(for: command).rawValue),
                "filesystem": ["read": [.string(workingDirectory)]],
                "network": network]
    }
}
