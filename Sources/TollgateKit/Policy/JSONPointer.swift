/// RFC 6901 JSON pointers.
enum JSONPointer {
    /// The pointer to `keys` (each escaped: `~` as `~0`, `/` as `~1`).
    static func string(_ keys: [String]) -> String {
        var pointer = ""
        for key in keys { pointer += "/" + escape(key) }
        return pointer
    }

    /// One reference token, escaped.
    static func escape(_ key: String) -> String {
        guard key.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return key }
        var escaped = ""
        for character in key.unicodeScalars {
            switch character {
            case "~": escaped += "~0"
            case "/": escaped += "~1"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}
