/// The estimated tokens of a tool result, with where they come from.
public struct TokenEstimate: Sendable, Hashable {
    /// Everything the model reads.
    public var tokens: Int64 { text + media + structured }
    /// Text items, embedded resources' text and what describes them, links and unknown items.
    public var text: Int64 = 0
    /// Images, audio and binary resources.
    public var media: Int64 = 0
    /// `structuredContent` (beyond a text item that carries it).
    public var structured: Int64 = 0

    /// Creates an empty estimate.
    public init() {}
}

extension TokenEstimator {
    /// The estimated tokens of a `CallToolResult` (see ``TokenEstimator`` for the rules).
    public static func estimate(result: JSONObject) -> TokenEstimate {
        var estimate = TokenEstimate()
        // Text items that may carry structuredContent as JSON text, with their tokens.
        var jsonTexts: [(text: String, tokens: Int64)] = []
        switch result["content"] {
        case .array(let items)?:
            for item in items {
                if let text = add(item, to: &estimate), text.utf8.first(where: { !isSpace($0) }).map(isJSONStart) == true {
                    jsonTexts.append((text, self.estimate(text: text)))
                }
            }
        case let content?:
            estimate.text += self.estimate(text: content.jsonText)
        case nil:
            break
        }
        if let structured = result["structuredContent"] {
            let tokens = self.estimate(text: structured.jsonText)
            let canonical = AuditRecord.canonicalBytes(structured)
            // A client gives the model structuredContent or the text item that carries it: count
            // whichever is larger.
            let mirror = jsonTexts.first { text in
                (try? JSONValue.parse(text.text)).map(AuditRecord.canonicalBytes) == canonical
            }
            estimate.structured = Swift.max(0, tokens - (mirror?.tokens ?? 0))
        }
        return estimate
    }

    /// Adds one content item; returns its text when it is a text item.
    private static func add(_ item: JSONValue, to estimate: inout TokenEstimate) -> String? {
        guard case .object(let object) = item, let type = object["type"]?.stringValue else {
            estimate.text += self.estimate(text: item.jsonText)
            return nil
        }
        if type.hasSameScalars(as: "text"), let text = object["text"]?.stringValue {
            estimate.text += self.estimate(text: text)
            return text
        } else if type.hasSameScalars(as: "image") {
            estimate.media += imageTokens
        } else if type.hasSameScalars(as: "audio"), let data = object["data"]?.stringValue {
            estimate.media += audio(base64Length: data.utf8.count)
        } else if type.hasSameScalars(as: "resource"), case .object(var resource)? = object["resource"] {
            let text = resource["text"]?.stringValue
            let blob = resource["blob"]?.stringValue
            if let text { estimate.text += self.estimate(text: text) }
            if let blob {
                let mimeType = resource["mimeType"]?.stringValue?.utf8
                if mimeType?.starts(with: "image/".utf8) == true {
                    estimate.media += imageTokens
                } else if mimeType?.starts(with: "audio/".utf8) == true {
                    estimate.media += audio(base64Length: blob.utf8.count)
                } else {
                    estimate.media += self.estimate(text: blob)
                }
            }
            // What stands around the contents: uri, mimeType and the rest.
            if text != nil { resource["text"] = nil }
            if blob != nil { resource["blob"] = nil }
            estimate.text += self.estimate(text: JSONValue.object(resource).jsonText)
        } else {
            // resource_link (uri, name, title, description, mimeType, size…), unknown kinds, and
            // items without the member their kind needs.
            estimate.text += self.estimate(text: item.jsonText)
        }
        return nil
    }

    /// Tokens of an audio clip from the length of its base64 data: at least ``audioTokens``, and
    /// 32 per second of sound at 6 kbit/s (1 000 base64 characters), the least a speech codec uses.
    private static func audio(base64Length: Int) -> Int64 {
        Swift.max(audioTokens, (Int64(base64Length) * 32 + 999) / 1_000)
    }

    private static func isJSONStart(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") }

    /// The estimated tokens of a result given as JSON bytes; a result that is not a JSON object
    /// counts as text.
    public static func estimate(resultJSON bytes: [UInt8]) -> TokenEstimate {
        if case .object(let object)? = try? JSONValue.parse(bytes) { return estimate(result: object) }
        var estimate = TokenEstimate()
        estimate.text = bytes.withUnsafeBytes { self.estimate(utf8: $0) }
        return estimate
    }
}

extension TokenEstimator {
    /// The tokens of a sampling result (`CreateMessageResult`): its `content`, one block or an
    /// array of them, estimated like a tool result's content.
    public static func estimate(samplingResult result: JSONObject) -> Int64 {
        let content: JSONValue = switch result["content"] {
        case .array(let blocks)?: .array(blocks)
        case let block?: .array([block])
        case nil: .array([])
        }
        return estimate(result: ["content": content]).tokens
    }
}
