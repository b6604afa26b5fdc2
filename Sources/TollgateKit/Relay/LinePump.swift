/// Reads lines from a descriptor and batches what the session decides: every line read in one
/// go is decided first, then forwarded bytes go out in one write and replies in another.
struct LinePump {
    var framer: LineFramer
    var forward: [UInt8] = []
    var reply: [UInt8] = []
    var logs: [String] = []

    init(maxLineBytes: Int) {
        framer = LineFramer(maxLineBytes: maxLineBytes)
        forward.reserveCapacity(LineFramer.readChunk)
    }

    /// Runs until end of stream or a read error.
    mutating func run(
        fd: Int32,
        decide: (UnsafeRawBufferPointer) -> RelayActions,
        oversized: ([UInt8], Int) -> RelayActions,
        flush: ([UInt8], [UInt8], [String]) -> Void
    ) {
        while framer.fill({ readRetrying(fd, $0) }) > 0 {
            while let line = framer.next() {
                switch line {
                case .complete(let content, let withNewline):
                    framer.withBytes { bytes in
                        let actions = decide(UnsafeRawBufferPointer(rebasing: bytes[content]))
                        apply(actions, original: UnsafeRawBufferPointer(rebasing: bytes[withNewline]))
                    }
                case .oversized(let prefix, let length):
                    apply(oversized(prefix, length), original: UnsafeRawBufferPointer(start: nil, count: 0))
                }
                if forward.count >= LineFramer.readChunk { send(flush) }
            }
            send(flush)
        }
    }

    private mutating func apply(_ actions: RelayActions, original: UnsafeRawBufferPointer) {
        switch actions.forward {
        case .original?:
            forward.append(contentsOf: original)
            if original.last != 0x0A { forward.append(0x0A) }
        case .bytes(let bytes)?: forward.append(contentsOf: bytes)
        case .call(let call)?:
            call.writeRequest(to: &forward)
            forward.append(0x0A)
        case .batch(let elements)?:
            forward.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { forward.append(UInt8(ascii: ",")) }
                switch element {
                case .bytes(let bytes): forward.append(contentsOf: bytes)
                case .call(let call): call.writeRequest(to: &forward)
                }
            }
            forward.append(contentsOf: [UInt8(ascii: "]"), 0x0A])
        case nil: break
        }
        if let bytes = actions.reply { reply.append(contentsOf: bytes) }
        if let log = actions.log { logs.append(log) }
    }

    private mutating func send(_ flush: ([UInt8], [UInt8], [String]) -> Void) {
        guard !forward.isEmpty || !reply.isEmpty || !logs.isEmpty else { return }
        flush(forward, reply, logs)
        forward.removeAll(keepingCapacity: forward.capacity <= 1 << 20)
        reply.removeAll(keepingCapacity: reply.capacity <= 1 << 20)
        logs.removeAll()
    }

    /// Ends the stream; returns the length of a partial last line (dropped).
    mutating func finish() -> Int { framer.finish() }
}
