/// The estimated tokens of a tool result, with where they come from.
public struct TokenEstimate: Sendable, Hashable {
    /// Everything the model reads.
    public var tokens: Int64 { text + media + structured }
    /// Text items, embedded text resources, links and unknown items.
    public var text: Int64 = 0
    /// Images, audio and binary resources.
    public var media: Int64 = 0
    /// `structuredContent`, when no text item already carries it.
    public var structured: Int64 = 0

    /// Creates an empty estimate.
    public init() {}
}

extension TokenEstimator {
    /// The estimated tokens of a `CallToolResult` (see ``TokenEstimator`` for the rules).
    public static func estimate(result: JSONObject) -> TokenEstimate {
        var estimate = TokenEstimate()
        var jsonTextLengths: [Int] = []
        if case .array(let items)? = result["content"] {
            for item in items {
                let type = item["type"]?.stringValue
                switch type {
                case "text":
                    let text = item["text"]?.stringValue ?? ""
                    estimate.text += self.estimate(text: text)
                    if let first = text.utf8.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x09 && $0 != 0x0D }),
                       first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
                        jsonTextLengths.append(text.utf8.count)
                    }
                case "image": estimate.media += imageTokens
                case "audio": estimate.media += audioTokens
                case "resource":
                    let resource = item["resource"]
                    if let text = resource?["text"]?.stringValue {
                        estimate.text += self.estimate(text: text)
                    } else if let blob = resource?["blob"]?.stringValue {
                        let isImage = resource?["mimeType"]?.stringValue?.hasBytePrefix("image/") ?? false
                        estimate.media += isImage ? imageTokens : Int64((blob.utf8.count + 3) / 4)
                    }
                default:
                    estimate.text += self.estimate(text: compactJSON(item))
                }
            }
        }
        if let structured = result["structuredContent"] {
            let text = compactJSON(structured)
            let length = text.utf8.count
            let mirrored = jsonTextLengths.contains { $0 * 2 >= length && $0 <= length * 2 }
            if !mirrored { estimate.structured = self.estimate(text: text) }
        }
        return estimate
    }

    /// The estimated tokens of a result given as JSON bytes; a result that is not a JSON object
    /// counts as text.
    public static func estimate(resultJSON bytes: [UInt8]) -> TokenEstimate {
        if case .object(let object)? = try? JSONValue.parse(bytes) { return estimate(result: object) }
        var estimate = TokenEstimate()
        estimate.text = bytes.withUnsafeBytes { self.estimate(utf8: $0) }
        return estimate
    }

    private static func compactJSON(_ value: JSONValue) -> String {
        var writer = JSONWriter()
        writer.write(value)
        return String(decoding: writer.bytes, as: UTF8.self)
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
