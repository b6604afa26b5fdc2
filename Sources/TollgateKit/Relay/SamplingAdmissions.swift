/// The verdicts on a server line's `sampling/createMessage` requests, taken by the effects
/// before the session decides the line (a grant may be reserved in a ledger, which is not done
/// under the session's lock), and looked up by the session as it meets each request.
public struct SamplingAdmissions: Sendable {
    private var verdicts: [(id: RequestID, verdict: SamplingVerdict)] = []

    public init() {}

    /// Admits every sampling request of `line` (alone or in a batch) as ``ServerLine`` reads it;
    /// `admit` decides one by its `maxTokens` (nil: it gave none).
    public init(of read: ServerLine, in line: UnsafeRawBufferPointer, maxDepth: Int, admit: (Int64?) -> SamplingVerdict) {
        switch read {
        case .request(let id, let method, let params) where method.hasSameScalars(as: "sampling/createMessage"):
            let object = params.flatMap { try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[$0]), maxDepth: maxDepth) }?.objectValue
            verdicts = [(id, admit(SamplingRequest.maxTokens(in: object)))]
        case .batch(let elements, _):
            for element in elements { verdicts += SamplingAdmissions(of: element, in: line, maxDepth: maxDepth, admit: admit).verdicts }
        default:
            break
        }
    }

    /// Takes the verdict on the request `id`; a request never admitted is refused (it must not
    /// reach the client unchecked).
    public mutating func take(_ id: RequestID) -> SamplingVerdict {
        guard let index = verdicts.firstIndex(where: { $0.id == id }) else {
            let reason = "sampling/createMessage refused: it was not admitted"
            return .refuse(CallEffects.samplingRefusal(reason), log: "refused the server's \(reason)")
        }
        return verdicts.remove(at: index).verdict
    }

    /// Takes the grants of the requests whose verdict was never taken (the line's decision
    /// refused them for another reason): they never reached the client.
    public mutating func takeUnused() -> [SamplingGrant] {
        defer { verdicts.removeAll() }
        return verdicts.compactMap { entry in
            if case .forward(let grant?) = entry.verdict { return grant }
            return nil
        }
    }
}
