#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension AuditReview {
    /// How `tollgate audit log` shows a log.
    public struct LogOptions: Sendable {
        /// Which calls to show.
        public var filter: AuditFilter
        /// Text or JSON, colours.
        public var format: AuditLogFormat
        /// JSON lines instead of text.
        public var json: Bool
        /// Whether to check the chain.
        public var verify: Bool
        /// The audit key, for a keyed chain.
        public var key: [UInt8]?

        public init(filter: AuditFilter, format: AuditLogFormat, json: Bool, verify: Bool, key: [UInt8]?) {
            self.filter = filter
            self.format = format
            self.json = json
            self.verify = verify
            self.key = key
        }
    }

    /// Shows the calls of the log at `path` (its rotated files first) and returns the exit status:
    /// 0, or 1 when the chain does not verify (noted after the calls).
    public static func showLog(path: String, options: LogOptions, output: Output) throws(FileError) -> Int32 {
        var view = AuditLogView(filter: options.filter)
        let verification = try forEachLine(files: AuditLogFiles.files(of: path), log: path, verify: options.verify, key: options.key) {
            line, file, number in show(view.add(line: line, location: "\(file):\(number)"), options, output)
        }
        show(view.finish(), options, output)
        if view.skippedLines > 0, !options.verify { output.note("\(view.skippedLines) lines are not JSON records; skipped") }
        if let verification, !verification.isIntact {
            output.note(warning(verification))
            return 1
        }
        return 0
    }

    /// How long a forwarded call's line waits for its outcome while following, in milliseconds.
    public static let followWaitMilliseconds: Int64 = 1000
    /// How often a followed log is read, in milliseconds.
    public static let followIntervalMilliseconds = 150

    /// Shows the calls of the log at `path` like ``showLog(path:options:output:)``, then the calls
    /// appended from then on, following the path across rotations (``AuditLogTail``) and checking
    /// each new record against the chain; never returns. A log that does not exist yet is waited for.
    public static func followLog(path: String, options: LogOptions, output: Output) -> Never {
        var tail = AuditLogTail(path: path)
        let (first, notes) = tail.read()
        notes.forEach(output.note)
        if tail.file == nil { output.note("\(path) does not exist yet; waiting for it") }
        var sources: [AuditVerifier.Source] = []
        for file in AuditLogFiles.rotations(of: path) where AuditLogFiles.identity(of: file) != tail.file {
            guard let bytes = try? FileIO.read(file) else { continue }
            sources.append(AuditVerifier.Source(name: file, bytes: bytes))
        }
        let now = SystemClock.monotonicMilliseconds()
        var view = AuditLogView(filter: options.filter)
        var chain: AuditChainFollower?
        if options.verify {
            let current = AuditVerifier.Source(name: path, bytes: first.flatMap { $0.bytes + [0x0A] })
            let verification = verify(sources + (tail.file == nil ? [] : [current]), log: path, key: options.key)
            if verification.isIntact || verification.problem?.kind == .empty {
                chain = AuditChainFollower(after: verification, key: options.key)
            } else {
                output.note(warning(verification))
            }
        }
        for source in sources {
            forEachLine(in: source.bytes) { line, number in
                show(view.add(line: line, location: "\(source.name):\(number)", readAt: now), options, output)
            }
        }
        for line in first { show(view.add(line: line.bytes, location: "\(line.file):\(line.number)", readAt: now), options, output) }
        while true {
            let now = SystemClock.monotonicMilliseconds()
            show(view.release(readBefore: now - followWaitMilliseconds), options, output)
            output.flush()
            usleep(useconds_t(followIntervalMilliseconds * 1000))
            let (lines, notes) = tail.read()
            notes.forEach(output.note)
            let readAt = SystemClock.monotonicMilliseconds()
            for line in lines {
                if let problem = chain?.check(line.bytes, file: line.file, number: line.number) {
                    output.note(warning(AuditVerification(records: 0, files: 0, problem: problem, last: nil, firstSeq: nil, from: nil,
                                                          continuesEarlierChain: false, algorithm: nil)))
                    chain = nil
                }
                show(view.add(line: line.bytes, location: "\(line.file):\(line.number)", readAt: readAt), options, output)
            }
        }
    }

    /// Writes what the view made ready.
    private static func show(_ outputs: [AuditLogView.Output], _ options: LogOptions, _ output: Output) {
        for item in outputs {
            output.line(options.json ? String(decoding: options.format.json(item), as: UTF8.self) : options.format.text(item))
        }
    }
}
