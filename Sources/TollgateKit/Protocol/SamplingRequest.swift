/// What the sampling caps read of a `sampling/createMessage` and of the client's answer to it,
/// the same way whether one server or several stand behind the gate.
public enum SamplingRequest {
    /// The `maxTokens` a request asks for: an integer, or a non-negative number rounded up (a
    /// fraction of a token still costs one); nil when absent or unusable, which the gate refuses
    /// because its cost cannot be capped.
    public static func maxTokens(in params: JSONObject?) -> Int64? {
        guard case .number(let text)? = params?["maxTokens"] else { return nil }
        return Int64(text) ?? Double(text).flatMap { $0 >= 0 && $0 < 9e18 ? Int64($0.rounded(.up)) : nil }
    }

    /// The tokens the client's answer spent: its result's content estimated, 0 for an error (the
    /// client sampled nothing), nil when the result cannot be read (the grant then stays counted
    /// in full).
    public static func answeredTokens(result: Range<Int>?, in line: UnsafeRawBufferPointer, maxDepth: Int) -> Int64? {
        guard let result else { return 0 }
        guard case .object(let object)? = try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[result]), maxDepth: maxDepth) else { return nil }
        return TokenEstimator.estimate(samplingResult: object)
    }

    /// The error code of a refused sampling request (the one MCP gives a user's rejection).
    public static let refusedCode = -1
}
