/// Where the JSON Schema of the manifest format is on this machine, for the `$schema` line of the
/// manifests `tollgate init` writes: installed beside the binary (`PREFIX/share/tollgate/`), or in
/// the checkout a built binary lives in (`manifests/`).
enum SchemaFile {
    static let name = "tollgate.schema.json"

    /// The schema's absolute path, or nil when it is in none of the usual places.
    static func locate(executable: String? = FileIO.realPath("/proc/self/exe")) -> String? {
        guard let executable else { return nil }
        var directory = FileIO.directory(of: executable)
        var candidates = [directory + "/../share/tollgate/" + name]
        for _ in 0..<5 {
            candidates.append(directory + "/manifests/" + name)
            directory = FileIO.directory(of: directory)
        }
        return candidates.lazy.compactMap { FileIO.isDirectory($0) ? nil : FileIO.realPath($0) }.first
    }

    /// `path` as a `file:` URI (bytes outside the unreserved set and `/` percent-encoded).
    static func uri(_ path: String) -> String {
        var text = "file://"
        for byte in path.utf8 {
            let unreserved = (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
                || byte == UInt8(ascii: "/")
            if unreserved {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return text
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
