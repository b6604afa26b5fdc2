/// What the relay's I/O layer must do after the session read one line. The session decides; the
/// I/O layer only carries it out, so the session can be tested without processes or pipes.
public struct RelayActions: Sendable, Equatable {
    /// How a line travels on.
    public enum Forward: Sendable, Equatable {
        /// The line's original bytes (its newline included).
        case original
        /// Bytes Tollgate wrote (a whole line, newline included).
        case bytes([UInt8])
        /// A checked tool call, written on its way out (``ToolCall/writeRequest(to:id:params:)``).
        indirect case call(ToolCall)
        /// A batch holding checked tool calls: its elements, each as bytes or a call.
        case batch([BatchElement])
    }

    /// An element of a batch that goes on.
    public enum BatchElement: Sendable, Equatable {
        case bytes([UInt8])
        indirect case call(ToolCall)
    }

    /// What goes on to the peer the line was meant for, if anything.
    public var forward: Forward?
    /// A line Tollgate writes back to the sender, if any.
    public var reply: [UInt8]?
    /// A diagnostic for stderr, if any.
    public var log: String?
    /// Local approvers to start (off the session's lock); each reports back through
    /// ``RelaySession/approverFinished(_:_:now:)``.
    public var approvers: [ApproverJob] = []
    /// Tokens of running approvers whose calls were cancelled: the relay layer stops them.
    public var cancelledApprovers: [Int] = []

    public init(forward: Forward? = nil, reply: [UInt8]? = nil, log: String? = nil) {
        self.forward = forward
        self.reply = reply
        self.log = log
    }

    /// Pass the line on unchanged.
    public static let passThrough = RelayActions(forward: .original)

    /// Writes a batch's elements as one line (newline included), each call serialized.
    static func write(batch elements: [BatchElement], to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            switch element {
            case .bytes(let element): bytes.append(contentsOf: element)
            case .call(let call): call.writeRequest(to: &bytes)
            }
        }
        bytes.append(contentsOf: [UInt8(ascii: "]"), 0x0A])
    }
}
