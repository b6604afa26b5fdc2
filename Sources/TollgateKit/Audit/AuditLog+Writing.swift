#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension AuditLog {
    /// Writes records in one `write` under the log's lock (see ``AuditLog``) and returns the last
    /// one's hash; called with the state locked. Does not sync.
    func write(_ records: [Pending], state: inout State) throws(AuditError) -> String {
        // A few rounds at most: each one either writes or follows a rotation to the new file.
        for _ in 0..<(Self.keptRotations + 2) {
            guard !state.closed else { throw .closed(path: path) }
            if state.file == nil { try reopen(state: &state) }
            guard var file = state.file, let identity = state.identity else { throw .closed(path: path) }
            var (shared, holderDied) = try lock.acquire(known: state.last)
            if holderDied {
                // A writer died holding the lock. Whatever it wrote after the last finished write
                // is whole records (kept: the chain continues from them) or ends in a torn one
                // (cut off: it never became part of the chain, and nothing was built on it).
                // The cut is made in the file the chain names, which `path` names unless it was
                // renamed from outside; then the chain is read back from the file.
                if let finished = shared {
                    if finished.identity != identity { try withRelease { () throws(AuditError) in _ = try reopen(state: &state) } }
                    if let current = state.file, state.identity == finished.identity {
                        try withRelease { () throws(AuditError) in try current.cutTornRecord(after: finished.size) }
                    }
                    lock.release(storing: nil)
                    continue
                }
                shared = nil
            }
            let now = SystemClock.nanoseconds(CLOCK_MONOTONIC)
            var chain: AuditLock.Chain
            var needsNewline = false
            if let shared, shared.identity == identity, !watch.changed, now - state.pathCheckedAt <= Self.pathCheckIntervalNanoseconds {
                chain = shared
            } else {
                // Look at the file and its name: the chain state is unknown or names another
                // file, the file was removed, renamed or changed from outside (records must not
                // go to a deleted file), or it is time to check.
                watch.acknowledge()
                let status = try withRelease { () throws(AuditError) in try file.fullStatus() }
                guard status.links > 0, try withRelease({ () throws(AuditError) in try AuditFile.identity(of: path) }) == identity else {
                    // Rotated or replaced from outside Tollgate, or removed: follow the name.
                    lock.release(storing: nil)
                    try reopen(state: &state)
                    continue
                }
                // The lock file removed or replaced from outside: move to the one its name leads
                // to, which writers started since then use.
                if try withRelease({ () throws(AuditError) in try AuditFile.identity(of: lock.path) }) != lock.identity {
                    lock.release(storing: nil)
                    try lock.remap()
                    continue
                }
                state.pathCheckedAt = now
                let tail = try withRelease { () throws(AuditError) in try previous(file, identity: identity, size: status.size, shared: shared) }
                chain = AuditLock.Chain(identity: identity, size: status.size, hash: tail.hash ?? AuditRecord.genesisHash, seq: tail.seq)
                needsNewline = tail.needsNewline
            }
            let time = AuditTimestamp.now()
            var batch = seal(records, after: chain, newline: needsNewline, time: time, into: &state.lines)
            // After a rotation, where the chain stands even if the write below fails: in the new file.
            var rotated: AuditLock.Chain?
            if let rotateBytes, chain.size > 0, chain.size + state.lines.count > rotateBytes {
                // Rotate only the file this log writes (not one another program put at `path`
                // since the last check).
                guard try withRelease({ () throws(AuditError) in try AuditFile.identity(of: path) }) == identity else {
                    lock.release(storing: nil)
                    try reopen(state: &state)
                    continue
                }
                try withRelease { () throws(AuditError) in try rotate() }
                file.retire()
                // The chain continues in a new file at `path`, which this writer starts with its
                // file_start record before it lets go of the lock; every other writer follows.
                let size = try withRelease { () throws(AuditError) in try reopen(state: &state) }
                state.pathCheckedAt = now
                guard let new = state.file, let newIdentity = state.identity, size == 0 else {
                    // (Not the empty file a rotation makes: another program wrote there meanwhile.)
                    lock.release(storing: nil)
                    continue
                }
                file = new
                chain = AuditLock.Chain(identity: newIdentity, size: 0, hash: chain.hash, seq: chain.seq)
                rotated = chain
                batch = seal(records, after: chain, newline: false, time: time, into: &state.lines)
            }
            defer {
                // A large batch's buffer is not kept.
                if state.lines.capacity > Self.keptLineBytes { state.lines = [] }
            }
            do throws(AuditError) {
                try file.writeRecord(state.lines)
            } catch {
                // Whatever happened to the file, look at it before the next record (a failed
                // write leaves nothing; after a rotation, every writer still follows to the new file).
                state.pathCheckedAt = .min / 2
                lock.release(storing: rotated)
                throw error
            }
            chain.size += state.lines.count
            chain.hash = batch.hash
            chain.seq = batch.seq
            lock.release(storing: chain)
            state.last = chain
            return batch.hash
        }
        throw .system(.rotate, path: path, errno: EAGAIN)
    }

    /// Writes into `lines` the line of each record sealed after `chain` (`seq`, `run`, `prev`,
    /// `time` where the record has none, `alg` and `hash`), led by a newline when the file ends in
    /// a partial line, and by a `file_start` record when the chain's file is empty: so every file
    /// starts with one, made under the lock by the writer that writes there first. Returns the
    /// last record's hash and seq.
    private func seal(_ records: [Pending], after chain: AuditLock.Chain, newline: Bool, time: AuditTimestamp,
                      into lines: inout [UInt8]) -> (hash: String, seq: Int) {
        lines.removeAll(keepingCapacity: true)
        if newline { lines.append(0x0A) }
        var seq = chain.seq
        var hash = Array(chain.hash.utf8)
        func add(_ entry: Entry, at time: AuditTimestamp) {
            seq += 1
            entry.seal(into: &lines, time: time, seq: seq, run: runID, prev: &hash, authenticator: authenticator)
        }
        if chain.size == 0 { add(.record(AuditRecord.fileStart), at: time) }
        for record in records { add(record.entry, at: record.time ?? time) }
        return (String(decoding: hash, as: UTF8.self), seq)
    }

    /// The capacity of the lines buffer kept after a write (a larger one is let go).
    static let keptLineBytes = 1 << 20

    /// What ``write(_:state:)`` seals: any record, or a call's decision or outcome in its fixed shape.
    enum Entry {
        case record(AuditRecord)
        case call(AuditCallRecord)
        /// A call's outcome, made into its record only when it is written (after the response was
        /// relayed, so not on the call's path).
        case outcome(origin: AuditCallRecord.Origin, tool: String, id: RequestID, outcome: AuditRecord.Outcome)

        /// Appends the entry's sealed line to `lines`; `prev` is the previous record's hash, and
        /// becomes this one's (see ``AuditCallRecord/seal(into:time:seq:run:prev:authenticator:)``).
        func seal(into lines: inout [UInt8], time: AuditTimestamp, seq: Int, run: String, prev: inout [UInt8], authenticator: HMAC?) {
            switch self {
            case .record(let record):
                let sealed = record.sealed(time: time, seq: seq, run: run, prev: String(decoding: prev, as: UTF8.self), authenticator: authenticator)
                lines.append(contentsOf: sealed.line)
                prev = Array(sealed.hash.utf8)
            case .call(let record):
                record.seal(into: &lines, time: time, seq: seq, run: run, prev: &prev, authenticator: authenticator)
            case .outcome(let origin, let tool, let id, let outcome):
                AuditCallRecord.outcome(origin: origin, tool: tool, id: id.description, outcome: outcome)
                    .seal(into: &lines, time: time, seq: seq, run: run, prev: &prev, authenticator: authenticator)
            }
        }
    }

    /// Runs `body` with the lock held; if it throws, releases the lock first (leaving the chain
    /// state as it was).
    private func withRelease<R>(_ body: () throws(AuditError) -> R) throws(AuditError) -> R {
        do {
            return try body()
        } catch {
            lock.release(storing: nil)
            throw error
        }
    }

    /// The chain's last hash when the chain state cannot be used as it is: the shared hash when it
    /// names this file and nothing was added since (a file shorter than that was truncated: the
    /// chain continues from its last known record, so the verifier shows the records that were
    /// cut), else the end of the file; for an empty file, the shared hash when there is one (the
    /// chain went on in a file that was removed or renamed from outside: continuing it shows that
    /// records came before), else the end of `path.1`.
    private func previous(_ file: AuditFile, identity: AuditFile.Identity, size: Int, shared: AuditLock.Chain?) throws(AuditError) -> AuditFile.Tail {
        if let shared, shared.identity == identity, shared.size >= size {
            return AuditFile.Tail(hash: shared.hash, seq: shared.seq,
                                  needsNewline: shared.size == size ? false : try file.endsInPartialLine(size: size))
        }
        let tail = try file.tail(size: size)
        if tail.hash != nil { return tail }
        if let shared { return AuditFile.Tail(hash: shared.hash, seq: shared.seq, needsNewline: tail.needsNewline) }
        let rotated = try AuditFile.tail(ofClosed: rotatedPath(1))
        return AuditFile.Tail(hash: rotated?.hash, seq: rotated?.seq ?? 0, needsNewline: tail.needsNewline)
    }

    /// `path.n`.
    func rotatedPath(_ number: Int) -> String { "\(path).\(number)" }

    /// Shifts `path.1`… one up (dropping the oldest) and renames `path` to `path.1`.
    private func rotate() throws(AuditError) {
        let oldest = rotatedPath(Self.keptRotations)
        if unlink(oldest) != 0 && errno != ENOENT { throw .system(.rotate, path: oldest, errno: errno) }
        for number in stride(from: Self.keptRotations - 1, through: 1, by: -1) {
            let from = rotatedPath(number)
            if rename(from, rotatedPath(number + 1)) != 0 && errno != ENOENT { throw .system(.rotate, path: from, errno: errno) }
        }
        if rename(path, rotatedPath(1)) != 0 { throw .system(.rotate, path: path, errno: errno) }
    }

    /// Closes the descriptor (syncing what this log wrote to it) and opens `path` anew; returns its size.
    @discardableResult
    private func reopen(state: inout State) throws(AuditError) -> Int {
        if let file = state.file {
            if state.dirty { _ = AuditFile.syncData(file.fd) }
            file.closeDescriptor()
        }
        state.file = nil
        state.identity = nil
        let file = try AuditFile.openForAppending(path)
        let status: AuditFile.Status
        do throws(AuditError) {
            status = try file.fullStatus()
        } catch {
            file.closeDescriptor()
            throw error
        }
        state.identity = status.identity
        state.file = file
        watch.watch(path)
        return status.size
    }
}
