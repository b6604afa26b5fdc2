/// Time limits of a manifest: `tools.X.timeoutSeconds` and `policy.defaultTimeoutSeconds`.
extension ManifestLoader {
    /// The longest timeout accepted: one week.
    static let maxTimeoutSeconds = 604_800

    /// A timeout in seconds (a number above 0, fractions to the millisecond), as milliseconds.
    static func timeoutMilliseconds(_ node: SourceValue, path: String, decoder: inout ManifestDecoder) -> Int64? {
        let expectation = "expected a number of seconds above 0 and at most \(maxTimeoutSeconds) (like 30 or 2.5)"
        guard case .number(let text) = node.kind, let seconds = Double(text) else {
            decoder.report("\(expectation), found \(ManifestDecoder.show(node))", at: node, path: path)
            return nil
        }
        let milliseconds = (seconds * 1000).rounded()
        guard seconds > 0, seconds <= Double(maxTimeoutSeconds), milliseconds >= 1 else {
            decoder.report("\(expectation), found \(text)", at: node, path: path)
            return nil
        }
        return Int64(milliseconds)
    }
}
