/// Switches a manifest's `policy.mode` in its text (`tollgate enforce`), changing nothing else.
public enum ManifestModeEditor {
    /// The text with `policy.mode` set to `mode`, or nil when the manifest names no mode in a
    /// `policy` object (then it is in the default mode, enforce, already).
    public static func setting(_ mode: Manifest.Mode, in source: SourceText, root: SourceValue) -> [UInt8]? {
        guard case .object(let sections) = root.kind,
              let policy = sections.first(where: { $0.key.hasSameScalars(as: "policy") })?.value,
              case .object(let members) = policy.kind,
              let current = members.first(where: { $0.key.hasSameScalars(as: "mode") })?.value,
              case .string = current.kind else { return nil }
        var bytes = source.bytes
        bytes.replaceSubrange(current.offset..<ManifestPinEditor.stringEnd(source.bytes, from: current.offset), with: Array("\"\(mode.rawValue)\"".utf8))
        return bytes
    }
}
