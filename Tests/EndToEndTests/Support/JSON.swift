import Foundation

/// A parsed JSON value (via Foundation's `JSONSerialization`, independent of Tollgate's own
/// scanner) with forgiving accessors: a missing member reads as `JSON(nil)`.
struct JSON: CustomStringConvertible {
    let value: Any?

    init(_ value: Any?) {
        self.value = value
    }

    init(parsing bytes: [UInt8]) throws {
        do {
            value = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw E2EError("not valid JSON (\(error)): \(String(decoding: bytes.prefix(500), as: UTF8.self))")
        }
    }

    init(parsing text: String) throws {
        try self.init(parsing: Array(text.utf8))
    }

    subscript(key: String) -> JSON {
        JSON((value as? [String: Any])?[key])
    }

    subscript(index: Int) -> JSON {
        guard let array = value as? [Any], array.indices.contains(index) else { return JSON(nil) }
        return JSON(array[index])
    }

    var exists: Bool { value != nil }
    var isNull: Bool { value is NSNull }
    var string: String? { value as? String }
    /// An integral number (not a boolean: on Linux `NSNumber(1) is Bool` holds, so look at its type).
    var int: Int? {
        guard let number = value as? NSNumber, !isBoolean, Double(number.intValue) == number.doubleValue else { return nil }
        return number.intValue
    }
    /// `true` or `false` (not the numbers 1 or 0).
    var bool: Bool? {
        guard isBoolean, let number = value as? NSNumber else { return nil }
        return number.boolValue
    }
    private var isBoolean: Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }
    var array: [JSON]? { (value as? [Any])?.map(JSON.init) }
    var object: [String: JSON]? { (value as? [String: Any])?.mapValues(JSON.init) }
    var strings: [String]? { (value as? [Any])?.compactMap { $0 as? String } }

    var description: String {
        guard let value else { return "<missing>" }
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) {
            return String(decoding: data, as: UTF8.self)
        }
        return "\(value)"
    }
}

/// Raw JSON-RPC lines, written by hand so every byte is under the test's control.
enum RPC {
    static func request(id: String, method: String, params: String? = nil) -> String {
        var line = #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)""#
        if let params { line += #","params":\#(params)"# }
        return line + "}"
    }

    static func notification(method: String, params: String? = nil) -> String {
        var line = #"{"jsonrpc":"2.0","method":"\#(method)""#
        if let params { line += #","params":\#(params)"# }
        return line + "}"
    }

    static func toolCall(id: String, name: String, arguments: String = "{}") -> String {
        request(id: id, method: "tools/call", params: #"{"name":"\#(name)","arguments":\#(arguments)}"#)
    }

    static func ping(id: String) -> String {
        request(id: id, method: "ping")
    }
}

extension Collection where Element == UInt8 {
    /// The bytes as text (lossy; for messages and comparisons of valid text).
    var text: String { String(decoding: self, as: UTF8.self) }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in the bytes.
    func contains(bytes needle: [UInt8]) -> Bool {
        firstRange(of: needle) != nil
    }

    /// The offset of the first occurrence of `needle` (memchr + memcmp; fast on long lines).
    func firstRange(of needle: [UInt8], from start: Int = 0) -> Range<Int>? {
        guard let first = needle.first, start <= count else { return nil }
        return withUnsafeBytes { haystack -> Range<Int>? in
            var offset = start
            while haystack.count - offset >= needle.count {
                guard let hit = memchr(haystack.baseAddress! + offset, Int32(first), haystack.count - offset) else { return nil }
                offset = UnsafeRawPointer(hit) - haystack.baseAddress!
                if matches(needle, at: offset) { return offset..<(offset + needle.count) }
                offset += 1
            }
            return nil
        }
    }

    /// Whether `other` equals the bytes at `offset` (memcmp).
    func matches(_ other: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, offset + other.count <= count else { return false }
        return withUnsafeBytes { mine in
            other.withUnsafeBytes { theirs in
                memcmp(mine.baseAddress! + offset, theirs.baseAddress!, other.count) == 0
            }
        }
    }

    /// `count` bytes made of `pattern` repeated (built with memcpy doubling).
    static func repeating(_ pattern: [UInt8], count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let base = buffer.baseAddress!
            var filled = Swift.min(pattern.count, count)
            pattern.withUnsafeBytes { _ = memcpy(base, $0.baseAddress!, filled) }
            while filled < count {
                let chunk = Swift.min(filled, count - filled)
                memcpy(base + filled, base, chunk)
                filled += chunk
            }
            initialized = count
        }
    }
}

/// The lines of a file (e.g. FIXTURE_LOG), without newlines; empty when the file is missing.
func fileLines(_ path: String) -> [[UInt8]] {
    guard let data = FileManager.default.contents(atPath: path) else { return [] }
    return [UInt8](data).split(separator: 0x0A, omittingEmptySubsequences: true).map(Array.init)
}
