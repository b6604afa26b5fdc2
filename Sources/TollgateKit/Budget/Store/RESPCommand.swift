/// Commands in RESP2's request form, an array of bulk strings, appended to one buffer so that a
/// pipeline of commands goes out in one write.
public struct RESPCommand: Sendable {
    /// The encoded commands.
    public private(set) var bytes: [UInt8] = []
    /// How many commands the buffer holds (each gets one reply).
    public private(set) var count = 0

    /// An empty buffer.
    public init() {}

    /// A buffer holding one command.
    public init(_ arguments: [String]) {
        append(arguments)
    }

    /// Appends a command whose arguments are texts (sent as their UTF-8 bytes).
    public mutating func append(_ arguments: [String]) {
        begin(count: arguments.count)
        for argument in arguments { add(argument.utf8) }
    }

    /// Starts a command of `count` arguments; add each with ``add(_:)``.
    public mutating func begin(count arguments: Int) {
        bytes.append(UInt8(ascii: "*"))
        appendDecimal(Int64(arguments))
        bytes.append(contentsOf: [0x0D, 0x0A])
        count += 1
    }

    /// Adds one argument (a bulk string) to the command begun last.
    public mutating func add(_ argument: some Collection<UInt8>) {
        bytes.append(UInt8(ascii: "$"))
        appendDecimal(Int64(argument.count))
        bytes.append(contentsOf: [0x0D, 0x0A])
        bytes.append(contentsOf: argument)
        bytes.append(contentsOf: [0x0D, 0x0A])
    }

    /// Adds arguments already encoded as bulk strings (counted in ``begin(count:)``).
    public mutating func add(encoded arguments: [UInt8]) {
        bytes.append(contentsOf: arguments)
    }

    /// Adds an integer argument, as its decimal text.
    public mutating func add(_ value: Int64) {
        var digits: [UInt8] = []
        Self.decimal(value, into: &digits)
        add(digits)
    }

    /// Appends another buffer's commands.
    public mutating func append(_ other: RESPCommand) {
        bytes.append(contentsOf: other.bytes)
        count += other.count
    }

    private mutating func appendDecimal(_ value: Int64) {
        Self.decimal(value, into: &bytes)
    }

    /// Appends the decimal digits of `value` (with `-` when negative).
    static func decimal(_ value: Int64, into bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes.append(contentsOf: digits.reversed())
    }
}
