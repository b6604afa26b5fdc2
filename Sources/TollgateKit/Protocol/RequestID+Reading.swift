/// Reading an id where a message names one: a response's `id`, or a `requestId` in params.
extension RequestID {
    /// The id at `range` of `line` (a response's), matched the way requests in flight are
    /// keyed; nil unless it is a string or a number.
    public static func response(_ line: UnsafeRawBufferPointer, _ range: Range<Int>) -> RequestID? {
        let bytes = UnsafeRawBufferPointer(rebasing: line[range])
        guard let first = bytes.first, first == UInt8(ascii: "\"") || first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else {
            return nil
        }
        let isString = first == UInt8(ascii: "\"")
        return RequestID(source: bytes, isString: isString, hasEscapes: isString && bytes.contains(UInt8(ascii: "\\")))
    }

    /// The id a JSON value names (as in `notifications/cancelled`'s `requestId`); nil unless it
    /// is a string or a number.
    public static func named(by value: JSONValue?) -> RequestID? {
        switch value {
        case .string?, .number?:
            let bytes = value!.serialized
            return RequestID(bytes: bytes, isString: bytes.first == UInt8(ascii: "\""), hasEscapes: bytes.contains(UInt8(ascii: "\\")))
        default:
            return nil
        }
    }
}
