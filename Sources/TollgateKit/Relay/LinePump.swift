/// Reads lines from a descriptor and batches what the session decides: every line read in one
/// go is decided first, the effects of all of them are carried out together (one group commit:
/// ``EffectsOwner/complete(_:)-([Ticket])``), and then forwarded bytes go out in one write and
/// replies in another.
///
/// A line of ``directBytes`` or more is not copied: it goes out from the framer's buffer,
/// right after what was gathered before it. A checked `tools/call` whose params are in the form
/// the writer writes (``ToolCall/paramsAreCompact``, as SDK clients write them) goes out as
/// the request's head, its params as they are in the buffer, and `}`: byte for byte the
/// re-serialized request, without re-serializing (from the buffer itself when the line is large).
struct LinePump {
    var framer: LineFramer
    var forward: [UInt8] = []
    var reply: [UInt8] = []
    var logs: [String] = []
    /// The lines of one read as decided (their actions, tickets and where each line is), until
    /// their effects are done; kept to reuse their memory.
    private var decided: [RelayActions] = []
    private var tickets: [EffectsOwner.Ticket] = []
    private var lines: [Range<Int>?] = []
    /// The complete lines of the read not yet decided (where their content is).
    private var gathered: [Range<Int>] = []

    /// The size from which a line is forwarded from the framer's buffer instead of copied.
    static let directBytes = LineFramer.readChunk
    private static let newline: [UInt8] = [0x0A]
    private static let callEnd: [UInt8] = [UInt8(ascii: "}"), 0x0A]

    init(maxLineBytes: Int) {
        framer = LineFramer(maxLineBytes: maxLineBytes)
        forward.reserveCapacity(LineFramer.readChunk)
    }

    /// Runs until end of stream or a read error. `decide` decides one line and returns its
    /// effects' ticket without waiting for them; `settle` gets every line of one read with their
    /// tickets before anything of them is written (to carry the effects out at once and take back
    /// what they refused). `flush` gets the bytes to forward (pieces to write one after the
    /// other, valid during the call), the replies and the logs.
    mutating func run(
        fd: Int32,
        decide: (UnsafeRawBufferPointer) -> (RelayActions, EffectsOwner.Ticket),
        settle: (inout [RelayActions], [EffectsOwner.Ticket]) -> Void = { _, _ in },
        oversized: ([UInt8], Int) -> RelayActions,
        flush: ([UnsafeRawBufferPointer], [UInt8], [String]) -> Void
    ) {
        run(fd: fd, decideLines: { lines, each in
            for line in lines {
                let (actions, ticket) = decide(line)
                each(actions, ticket)
            }
        }, settle: settle, oversized: oversized, flush: flush)
    }

    /// Runs as ``run(fd:decide:settle:oversized:flush:)``, deciding the complete lines of one
    /// read (up to an oversized one) together: `decideLines` gets them and hands on each one's
    /// actions and ticket, in order (so a session's lock is taken once for them).
    mutating func run(
        fd: Int32,
        decideLines: ([UnsafeRawBufferPointer], (RelayActions, EffectsOwner.Ticket) -> Void) -> Void,
        settle: (inout [RelayActions], [EffectsOwner.Ticket]) -> Void = { _, _ in },
        oversized: ([UInt8], Int) -> RelayActions,
        flush: ([UnsafeRawBufferPointer], [UInt8], [String]) -> Void
    ) {
        while framer.fill({ readRetrying(fd, $0) }) > 0 {
            while let line = framer.next() {
                switch line {
                case .complete(let content, let withNewline):
                    gathered.append(content)
                    lines.append(withNewline)
                case .oversized(let prefix, let length):
                    decideGathered(decideLines)
                    decided.append(oversized(prefix, length))
                    tickets.append(.none)
                    lines.append(nil)
                }
            }
            decideGathered(decideLines)
            settle(&decided, tickets)
            for index in decided.indices {
                framer.withBytes { bytes in
                    let original = lines[index].map { UnsafeRawBufferPointer(rebasing: bytes[$0]) } ?? UnsafeRawBufferPointer(start: nil, count: 0)
                    apply(decided[index], original: original, flush)
                }
                if forward.count >= LineFramer.readChunk { send(flush) }
            }
            decided.removeAll(keepingCapacity: decided.capacity <= 4096)
            tickets.removeAll(keepingCapacity: tickets.capacity <= 4096)
            lines.removeAll(keepingCapacity: lines.capacity <= 4096)
            send(flush)
        }
    }

    /// Decides the complete lines gathered since the last decision.
    private mutating func decideGathered(_ decideLines: ([UnsafeRawBufferPointer], (RelayActions, EffectsOwner.Ticket) -> Void) -> Void) {
        guard !gathered.isEmpty else { return }
        var decided = self.decided, tickets = self.tickets
        self.decided = []
        self.tickets = []
        framer.withBytes { bytes in
            decideLines(gathered.map { UnsafeRawBufferPointer(rebasing: bytes[$0]) }) { actions, ticket in
                decided.append(actions)
                tickets.append(ticket)
            }
        }
        self.decided = decided
        self.tickets = tickets
        gathered.removeAll(keepingCapacity: gathered.capacity <= 4096)
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
            // Params read in the form the writer writes go out from where they were read:
            // the request's head, then them (from the read buffer itself when the line is large).
            if call.paramsAreCompact, let span = call.paramsSpan, span.upperBound <= original.count {
                call.writeRequestHead(to: &forward)
                let params = UnsafeRawBufferPointer(rebasing: original[span])
                if original.count >= Self.directBytes {
                    Self.callEnd.withUnsafeBytes { end in send(flush, with: [params, end]) }
                } else {
                    forward.append(contentsOf: params)
                    forward.append(contentsOf: Self.callEnd)
                }
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

    /// Ends the stream; returns the length of a partial last line (dropped).
    mutating func finish() -> Int { framer.finish() }
}
