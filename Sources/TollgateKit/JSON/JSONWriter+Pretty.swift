extension JSONWriter {
    /// Appends a value indented for humans (two spaces per level, one member per line; arrays of
    /// scalars stay on one line).
    public mutating func writePretty(_ value: JSONValue, level: Int = 0) {
        switch value {
        case .array(let elements) where elements.contains(where: \.isContainer):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(level + 1)
                writePretty(element, level: level + 1)
            }
            newline(level)
            bytes.append(UInt8(ascii: "]"))
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { append(", ") }
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object) where object.count > 0:
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(level + 1)
                write(string: member.key)
                append(": ")
                writePretty(member.value, level: level + 1)
            }
            newline(level)
            bytes.append(UInt8(ascii: "}"))
        default:
            write(value)
        }
    }

    private mutating func newline(_ level: Int) {
        bytes.append(0x0A)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * level))
    }
}

extension JSONValue {
    /// Whether the value is an array or an object.
    public var isContainer: Bool {
        switch self {
        case .array, .object: true
        default: false
        }
    }

    /// The value as indented JSON text, newline-terminated.
    public var prettyText: String {
        var writer = JSONWriter()
        writer.writePretty(self)
        writer.bytes.append(0x0A)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
