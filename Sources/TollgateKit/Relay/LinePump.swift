/// Writes what ``RelaySession`` decided for the lines of one read (``ReadLoop``): forwarded
/// bytes go out in one write and replies in another.
///
/// A line of ``directBytes`` or more is not copied: it goes out from the framer's buffer,
/// right after what was gathered before it. A checked `tools/call` whose params are in the form
/// the writer writes (``ToolCall/paramsAreCompact``, as SDK clients write them) goes out as
/// the request's head, its params as they are in the buffer, and `}`: byte for byte the
/// re-serialized request, without re-serializing (from the buffer itself when the line is large).
struct LinePump {
    let maxLineBytes: Int
    var forward: [UInt8] = []
    var reply: [UInt8] = []
    var logs: [String] = []

    /// The size from which a line is forwarded from the framer's buffer instead of copied.
    static let directBytes = LineFramer.readChunk
    private static let newline: [UInt8] = [0x0A]
    private static let callEnd: [UInt8] = [UInt8(ascii: "}"), 0x0A]

    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
        forward.reserveCapacity(LineFramer.readChunk)
    }

    /// Runs until end of stream or a read error (``ReadLoop``); returns the length of a partial
    /// last line (dropped). `decide` decides one line and returns its effects' ticket without
    /// waiting for them; `settle` gets every line of one read with their tickets before anything
    /// of them is written (to carry the effects out at once and take back what they refused).
    /// `flush` gets the bytes to forward (pieces to write one after the other, valid during the
    /// call), the replies and the logs.
    mutating func run(
        fd: Int32,
        decide: (UnsafeRawBufferPointer) -> (RelayActions, EffectsOwner.Ticket),
        settle: (inout [RelayActions], [EffectsOwner.Ticket]) -> Void = { _, _ in },
        oversized: ([UInt8], Int) -> RelayActions,
        flush: ([UnsafeRawBufferPointer], [UInt8], [String]) -> Void
    ) -> Int {
        run(fd: fd, decideLines: { lines, each in
            for line in lines {
                let (actions, ticket) = decide(line)
                each(actions, ticket)
            }
        }, settle: settle, oversized: oversized, flush: flush)
    }

    /// Runs as ``run(fd:decide:settle:oversized:flush:)``, deciding the complete lines of one
    /// read together (``ReadLoop/run(fd:decideLines:oversized:settle:apply:endOfRead:)``).
    mutating func run(
        fd: Int32,
        decideLines: ([UnsafeRawBufferPointer], (RelayActions, EffectsOwner.Ticket) -> Void) -> Void,
        settle: (inout [RelayActions], [EffectsOwner.Ticket]) -> Void = { _, _ in },
        oversized: ([UInt8], Int) -> RelayActions,
        flush: ([UnsafeRawBufferPointer], [UInt8], [String]) -> Void
    ) -> Int {
        var loop = ReadLoop<RelayActions>(maxLineBytes: maxLineBytes)
        return loop.run(fd: fd, decideLines: decideLines, oversized: oversized, settle: settle, apply: { actions, original in
            apply(actions, original: original, flush)
            if forward.count >= LineFramer.readChunk { send(flush) }
        }, endOfRead: { send(flush) })
    }

    private mutating func apply(_ actions: RelayActions, original: UnsafeRawBufferPointer,
                                _ flush: ([UnsafeRawBufferPointer], [UInt8], [String]) -> Void) {
        if let bytes = actions.reply { reply.append(contentsOf: bytes) }
        if let log = actions.log { logs.append(log) }
        switch actions.forward {
        case .original? where original.count >= Self.directBytes:
            Self.newline.withUnsafeBytes { newline in
                send(flush, with: [original] + (original.last == 0x0A ? [] : [newline]))
            }
        case .original?:
            forward.append(contentsOf: original)
            if original.last != 0x0A { forward.append(0x0A) }
        case .bytes(let bytes)?: forward.append(contentsOf: bytes)
        case .call(let call)?:
            // A large line's params read in the form the writer writes go out from the read
            // buffer: the request's head, then them. Only the line's own call has a span (a call
            // kept beyond its line, held for approval, has none); a smaller call's checked bytes
            // are copied by writeRequest.
            if original.count >= Self.directBytes, call.paramsAreCompact, let span = call.paramsSpan, span.upperBound <= original.count {
                call.writeRequestHead(to: &forward)
                Self.callEnd.withUnsafeBytes { end in send(flush, with: [UnsafeRawBufferPointer(rebasing: original[span]), end]) }
            } else {
                call.writeRequest(to: &forward)
                forward.append(0x0A)
            }
        case .batch(let elements)?: RelayActions.write(batch: elements, to: &forward)
        case nil: break
        }
    }

    /// Hands what was gathered, then `pieces`, to `flush`, and starts gathering anew.
    private mutating func send(_ flush: ([UnsafeRawBufferPointer], [UInt8], [String]) -> Void, with pieces: [UnsafeRawBufferPointer] = []) {
        guard !forward.isEmpty || !pieces.isEmpty || !reply.isEmpty || !logs.isEmpty else { return }
        forward.withUnsafeBytes { gathered in
            flush(gathered.isEmpty ? pieces : [gathered] + pieces, reply, logs)
        }
        forward.removeAll(keepingCapacity: forward.capacity <= 1 << 20)
        reply.removeAll(keepingCapacity: reply.capacity <= 1 << 20)
        logs.removeAll()
    }
}
