#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a stream one read at a time and decides its lines, for every pump (one server's or
/// several's): every line of one read is decided, their effects are carried out at once (one
/// group commit: ``GateRuntime/settleRead(_:_:)``), and only then is each line's decision
/// handed on, with the line's bytes, to be written.
struct ReadLoop<Actions> {
    private var framer: LineFramer
    /// The lines of one read as decided (their actions, tickets and where each line is), until
    /// their effects are done; kept to reuse their memory.
    private var decided: [Actions] = []
    private var tickets: [EffectsOwner.Ticket] = []
    private var lines: [Range<Int>?] = []

    /// The most lines settled as one group: a read of many tiny lines is settled and written in
    /// groups of this many, so what one read holds stays bounded by this, not by the read's size.
    static var maxLinesPerGroup: Int { 1024 }

    init(maxLineBytes: Int) {
        framer = LineFramer(maxLineBytes: maxLineBytes)
    }

    /// Runs until end of stream or a read error; returns the length of a partial last line
    /// (dropped). `decide` decides one line and returns its effects' ticket without waiting for
    /// them; `oversized` answers a line over the limit (its first bytes and its length);
    /// `settle` gets every line of one read with their tickets before anything of them is
    /// written; `apply` gets each line's actions with its bytes (newline included when read;
    /// valid during the call; empty for an oversized line); `endOfRead` follows a read's last line.
    mutating func run(
        fd: Int32,
        decide: (UnsafeRawBufferPointer) -> (Actions, EffectsOwner.Ticket),
        oversized: ([UInt8], Int) -> Actions,
        settle: (inout [Actions], [EffectsOwner.Ticket]) -> Void,
        apply: (Actions, UnsafeRawBufferPointer) -> Void,
        endOfRead: () -> Void
    ) -> Int {
        while framer.fill({ readRetrying(fd, $0) }) > 0 {
            while let line = framer.next() {
                switch line {
                case .complete(let content, let withNewline):
                    let (actions, ticket) = framer.withBytes { decide(UnsafeRawBufferPointer(rebasing: $0[content])) }
                    decided.append(actions)
                    tickets.append(ticket)
                    lines.append(withNewline)
                case .oversized(let prefix, let length):
                    decided.append(oversized(prefix, length))
                    tickets.append(.none)
                    lines.append(nil)
                }
                if decided.count >= Self.maxLinesPerGroup { settleAndApply(settle: settle, apply: apply) }
            }
            settleAndApply(settle: settle, apply: apply)
            endOfRead()
        }
        return framer.finish()
    }

    /// Settles the lines decided so far, hands each on, and forgets them.
    private mutating func settleAndApply(settle: (inout [Actions], [EffectsOwner.Ticket]) -> Void, apply: (Actions, UnsafeRawBufferPointer) -> Void) {
        guard !decided.isEmpty else { return }
        settle(&decided, tickets)
        for index in decided.indices {
            framer.withBytes { bytes in
                apply(decided[index], lines[index].map { UnsafeRawBufferPointer(rebasing: bytes[$0]) } ?? UnsafeRawBufferPointer(start: nil, count: 0))
            }
        }
        decided.removeAll(keepingCapacity: decided.capacity <= 4096)
        tickets.removeAll(keepingCapacity: tickets.capacity <= 4096)
        lines.removeAll(keepingCapacity: lines.capacity <= 4096)
    }
}
