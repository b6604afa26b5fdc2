import Foundation
import Testing

/// Keeps the rule of one reading: in the folders a message's names pass through, no `String`
/// equality, hashing, prefix or case folding meets a protocol name. A line that handles text that
/// is not a name (a number's digits, a message) says so with `// not a protocol name`.
@Suite("No String comparison of protocol names")
struct NameComparisonLintTests {
    static let folders = ["Host", "Relay", "Gate", "Protocol", "Policy", "Pinning", "Approval", "Budget", "JSON", "Telemetry"]
    static let forbidden = ["[String: ", "[String:", "Set<String>", ".hasPrefix(", ".hasSuffix(", ".lowercased()", ".uppercased()",
                            "method == \"", "name == \"", "switch method {", "switch envelope.method {"]

    @Test("the folders on a message's path use ProtocolName, hasSameScalars or byte prefixes instead")
    func lint() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/TollgateKit")
        var offenders: [String] = []
        var files = 0
        for folder in Self.folders {
            let directory = root.appendingPathComponent(folder)
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".swift") }
            for name in names {
                files += 1
                let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let code = line.trimmingCharacters(in: .whitespaces)
                    if code.hasPrefix("///") || code.hasPrefix("//") || line.contains("// not a protocol name") { continue }
                    for pattern in Self.forbidden where line.contains(pattern) {
                        offenders.append("\(folder)/\(name):\(number + 1): \(pattern) in: \(code)")
                    }
                }
            }
        }
        #expect(files > 50, "the lint read too few files (\(files)): is the path \(root.path) right?")
        #expect(offenders.isEmpty, "String comparison on a message's path:\n\(offenders.joined(separator: "\n"))")
    }
}
