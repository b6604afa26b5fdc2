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
    /// The complete lines of the group not yet decided (where their content is).
    private var gathered: [Range<Int>] = []

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
        run(fd: fd, decideLines: { lines, each in
            for line in lines {
                let (actions, ticket) = decide(line)
                each(actions, ticket)
            }
        }, oversized: oversized, settle: settle, apply: apply, endOfRead: endOfRead)
    }

    /// Runs as ``run(fd:decide:oversized:settle:apply:endOfRead:)``, deciding the complete lines
    /// of a group together: `decideLines` gets them (up to an oversized line) and hands on each
    /// one's actions and ticket, in order, so a session's lock can be taken once for them.
    mutating func run(
        fd: Int32,
        decideLines: ([UnsafeRawBufferPointer], (Actions, EffectsOwner.Ticket) -> Void) -> Void,
        oversized: ([UInt8], Int) -> Actions,
        settle: (inout [Actions], [EffectsOwner.Ticket]) -> Void,
        apply: (Actions, UnsafeRawBufferPointer) -> Void,
        endOfRead: () -> Void
    ) -> Int {
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
                if lines.count >= Self.maxLinesPerGroup {
                    decideGathered(decideLines)
                    settleAndApply(settle: settle, apply: apply)
                }
            }
            decideGathered(decideLines)
            settleAndApply(settle: settle, apply: apply)
            endOfRead()
        }
        return framer.finish()
    }

    /// Decides the complete lines gathered since the last decision.
    private mutating func decideGathered(_ decideLines: ([UnsafeRawBufferPointer], (Actions, EffectsOwner.Ticket) -> Void) -> Void) {
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
