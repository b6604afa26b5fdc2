/// What a `decision` record keeps of a call's arguments: `argumentsSha256`, the SHA-256 of their
/// canonical form as called (always), and `arguments` as the `audit.arguments` setting says, cut
/// when their canonical form as called is longer than `audit.maxArgumentBytes`.
///
/// Cutting: the arguments (the members of the `arguments` object) are taken in canonical order;
/// each is kept while the canonical form of what is kept stays within the cap; every other one
/// keeps its name and gets the string `"[CUT: N bytes]"` for its value (N: the canonical size of
/// the value as called), or, when even that does not fit, is left out. The record then also
/// carries `argumentsCut`: `{"bytes": the canonical size of all the arguments as called,
/// "omitted": how many were left out}`. Redaction (the `redacted` setting) applies to what is
/// kept. So a record holds at most about the cap, whatever the call.
///
/// The arguments are hashed and measured in one pass that streams their canonical form into the
/// hash: it is never held whole when it is longer than the cap, and no string longer than the
/// cap is searched for credentials (it is cut in any case).
public struct AuditArguments {
    /// The default of `audit.maxArgumentBytes`: 64 KiB.
    public static let defaultMaxBytes = 64 << 10
    /// What `audit.maxArgumentBytes` may be: 1 KiB to 16 MiB (a record is held in memory while
    /// it is written).
    static let maxBytesRange = 1024...(16 << 20)

    /// How arguments were cut.
    struct Cut: Sendable, Equatable {
        /// The canonical size of all the arguments as called.
        var bytes: Int
        /// How many arguments were left out altogether (name and all).
        var omitted: Int
    }

    /// SHA-256 of the canonical arguments as called.
    let sha256: [UInt8]
    /// The arguments to record (nil for `digest`): as called, redacted, or cut.
    let recorded: JSONObject?
    /// The canonical bytes of ``recorded`` when they are the arguments as called (kept from the
    /// pass that hashed them, so they need not be written again).
    let recordedCanonical: [UInt8]?
    /// How the arguments were cut, when they were.
    let cut: Cut?

    /// What a record keeps of `arguments` under `mode`, cut to `maxBytes`.
    init(_ arguments: JSONObject, mode: AuditRedaction.Mode, maxBytes: Int) {
        let measured = Measured(arguments, maxBytes: maxBytes)
        sha256 = measured.sha256
        guard mode != .digest else {
            (recorded, recordedCanonical, cut) = (nil, nil, nil)
            return
        }
        var source = arguments
        var canonical = measured.canonical
        var cut: Cut?
        if canonical == nil { (source, cut) = Self.cut(arguments, measured, maxBytes: maxBytes) }
        if mode == .redacted && !AuditRedaction.findsNothing(in: source) {
            source = AuditRedaction.redact(.object(source)).objectValue ?? source
            canonical = nil
        }
        self.cut = cut
        recorded = source
        recordedCanonical = canonical
    }

    /// SHA-256 of the canonical serialization of `value`, written into the hash piece by piece.
    static func sha256(_ value: JSONValue) -> [UInt8] {
        let hash = StreamingHash()
        var writer = JSONWriter(chunk: 64 << 10) { hash.sha256.update($0) }
        AuditRecord.writeCanonical(value, into: &writer)
        writer.finish()
        let sha256 = hash.sha256
        return sha256.finalize()
    }

    /// The arguments cut to `maxBytes` (see ``AuditArguments``).
    private static func cut(_ arguments: JSONObject, _ measured: Measured, maxBytes: Int) -> (arguments: JSONObject, cut: Cut) {
        var kept: [JSONObject.Member] = []
        var room = maxBytes - 2  // the braces
        var omitted = 0
        for (index, size) in zip(measured.order, measured.sizes) {
            let member = arguments.members[index]
            let comma = kept.isEmpty ? 0 : 1
            if size.member + comma <= room {
                kept.append(member)
                room -= size.member + comma
                continue
            }
            let marker = "[CUT: \(size.member - size.key) bytes]"
            let markerSize = size.key + marker.utf8.count + 2
            if markerSize + comma <= room {
                kept.append(JSONObject.Member(key: member.key, value: .string(marker)))
                room -= markerSize + comma
            } else {
                omitted += 1
            }
        }
        return (JSONObject(uncheckedMembers: kept), Cut(bytes: measured.bytes, omitted: omitted))
    }

    /// The one pass over the canonical arguments: their hash, their size and each member's, and
    /// the bytes themselves when they fit in the cap.
    private struct Measured {
        var sha256: [UInt8]
        /// The canonical size of the arguments.
        var bytes: Int
        /// The canonical bytes, when at most the cap.
        var canonical: [UInt8]?
        /// The members' indices in canonical order.
        var order: [Int]
        /// The canonical size of each member in that order: `"key":` and all.
        var sizes: [(key: Int, member: Int)]

        init(_ arguments: JSONObject, maxBytes: Int) {
            let hash = StreamingHash()
            // Bytes are handed to the hash only once more than the cap is written: arguments
            // within the cap stay whole in the writer.
            var writer = JSONWriter(chunk: maxBytes + 1) { piece in
                hash.sha256.update(piece)
                hash.count += piece.count
            }
            let members = arguments.members
            order = AuditRecord.canonicalOrder(of: members, excluding: [])
            sizes = []
            sizes.reserveCapacity(order.count)
            writer.append("{")
            for index in order {
                if !sizes.isEmpty { writer.append(",") }
                let start = hash.count + writer.bytes.count
                writer.write(string: members[index].key)
                writer.append(":")
                let key = hash.count + writer.bytes.count - start
                AuditRecord.writeCanonical(members[index].value, into: &writer)
                sizes.append((key, hash.count + writer.bytes.count - start))
                writer.handOnIfFull()
            }
            writer.append("}")
            bytes = hash.count + writer.bytes.count
            if bytes <= maxBytes {
                canonical = writer.bytes
                hash.sha256.update(writer.bytes)
            } else {
                writer.finish()
            }
            let digest = hash.sha256
            sha256 = digest.finalize()
        }
    }

    /// A hash that a streaming writer's sink feeds.
    private final class StreamingHash {
        var sha256 = SHA256()
        var count = 0
    }
}
