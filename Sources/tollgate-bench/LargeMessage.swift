import TollgateKit
#if canImport(Glibc)
import Glibc
#endif

/// One large message each way through a relay: a `tools/call` whose `text` argument holds
/// `bytes` bytes, answered by ``BenchServer`` with a text result of as many bytes. Measures the
/// time from the first byte of the call sent to the last byte of the answer read, and the peak
/// RSS of the process the client talks to.
struct LargeMessage {
    var seconds: Double
    var peakRSSKiB: Int

    /// The argument of a call above this size is echoed back by ``BenchServer`` as a result of its size.
    static let echoThreshold = 64 << 10

    /// Measures `command` (started as a child of this process) with one call of `bytes` bytes.
    static func measure(_ command: [String], bytes: Int) -> LargeMessage? {
        signal(SIGPIPE, SIG_IGN)
        guard let child = try? ChildProcess.spawn(.init(arguments: command)) else { return nil }
        defer { child.closeAndReap() }
        var reader = LongLineReader(fd: child.output)
        func send(_ text: String) -> Bool { Array(text.utf8).withUnsafeBytes { writeFully(child.input, $0) } }
        guard send(ChildProcess.benchInitialize),
            reader.nextLineLength() != nil,
            send(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"# + "\n")
        else { return nil }
        var call = Array(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":""#.utf8)
        let suffix = Array(#""}}}"#.utf8) + [0x0A]
        call.reserveCapacity(call.count + bytes + suffix.count)
        call.append(contentsOf: repeatElement(UInt8(ascii: "x"), count: bytes))
        call.append(contentsOf: suffix)
        let start = RoundTrip.now()
        guard call.withUnsafeBytes({ writeFully(child.input, $0) }), let answered = reader.nextLineLength(), answered >= bytes else { return nil }
        let seconds = (RoundTrip.now() - start) / 1e6
        return LargeMessage(seconds: seconds, peakRSSKiB: RoundTrip.peakRSS(of: child.pid))
    }

    /// Runs `rounds` interleaved rounds over `configurations` and prints the medians, with the
    /// memory bound Tollgate keeps to: 1.25 × (the message in each direction) + 20 MiB.
    static func report(_ configurations: [(String, [String])], bytes: Int, rounds: Int) -> Bool {
        var samples: [String: [LargeMessage]] = [:]
        for _ in 1...rounds {
            for (name, command) in configurations {
                guard let sample = measure(command, bytes: bytes) else {
                    FileHandleStderr.write("\(name): the large-message measurement failed (\(command.joined(separator: " ")))\n")
                    return false
                }
                samples[name, default: []].append(sample)
            }
        }
        let boundMiB = 1.25 * Double(2 * bytes) / Double(1 << 20) + 20
        print("one message of \(bytes >> 20) MiB each way (a tools/call and its result), \(rounds) rounds; medians, peak RSS the largest:")
        print("configuration        time s   × raw   peak RSS MiB   within \(fmt(boundMiB)) MiB")
        let rawSeconds = median(samples[configurations[0].0]!.map(\.seconds))
        for (name, _) in configurations {
            let seconds = median(samples[name]!.map(\.seconds))
            let rss = Double(samples[name]!.map(\.peakRSSKiB).max() ?? 0) / 1024
            print(pad(name, 21) + pad(fmt(seconds, 2), 9) + pad(fmt(seconds / rawSeconds, 1), 8) + pad(fmt(rss), 15) + (rss <= boundMiB ? "yes" : "NO"))
        }
        return true
    }
}

/// Reads lines of any length from a descriptor, keeping only their lengths.
struct LongLineReader {
    let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private var start = 0
    private var end = 0

    init(fd: Int32) { self.fd = fd }

    /// The length of the next line (without its newline), or nil at end of stream.
    mutating func nextLineLength() -> Int? {
        var length = 0
        while true {
            if let newline = buffer[start..<end].firstIndex(of: 0x0A) {
                length += newline - start
                start = newline + 1
                return length
            }
            length += end - start
            start = 0
            end = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            guard end > 0 else { return nil }
        }
    }
}
