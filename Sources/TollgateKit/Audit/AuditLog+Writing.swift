#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension AuditLog {
    /// Writes one record under the file lock (see ``AuditLog``); called with the state locked.
    func write(_ record: Entry, state: inout State) throws(AuditError) -> String {
        // A few rounds at most: each one either writes or follows a rotation to the new file.
        for _ in 0..<(Self.keptRotations + 2) {
            guard !state.closed else { throw .closed(path: path) }
            if state.file == nil { state.file = try AuditFile.openForAppending(path) }
            guard let file = state.file else { throw .closed(path: path) }
            try file.lock()
            let status = try withUnlock(file) { () throws(AuditError) in try file.fullStatus() }
            let (identity, size) = (status.identity, status.size)
            // Whether `path` must be looked up to see if it still names this file. Not when
            // nothing changed since this log's own last write (same file and size, so nobody else
            // appended or rotated) on a file that only this user can write (so whoever rotated it
            // also marked it, see `retire()`), and the name was checked recently (for renames
            // from outside Tollgate).
            let now = SystemClock.nanoseconds(CLOCK_MONOTONIC)
            let unchanged = state.last.map { $0.identity == identity && $0.size == size } ?? false
            if !unchanged || !status.isPrivateToWriter || now - state.pathCheckedAt > Self.pathCheckIntervalNanoseconds {
                guard try withUnlock(file, { () throws(AuditError) in try AuditFile.identity(of: path) }) == identity else {
                    // Rotated (or removed) by another writer: follow the name.
                    file.unlock()
                    try reopen(state: &state)
                    continue
                }
                state.pathCheckedAt = now
            }
            let tail = try withUnlock(file) { () throws(AuditError) in try previous(file, identity: identity, size: size, state: state) }
            var (line, hash) = record.sealed(time: AuditTimestamp.now(), seq: state.seq + 1, run: runID,
                                             prev: tail.hash ?? AuditRecord.genesisHash, authenticator: authenticator)
            if tail.needsNewline { line.insert(0x0A, at: 0) }
            if let rotateBytes, size > 0, size + line.count > rotateBytes {
                // Unlock before the descriptor is closed: its number may be reused at once by another writer.
                try withUnlock(file) { () throws(AuditError) in try rotate() }
                file.retire()
                file.unlock()
                try reopen(state: &state)
                continue
            }
            try withUnlock(file) { () throws(AuditError) in try file.writeRecord(line, size: size) }
            state.seq += 1
            state.last = (identity, size + line.count, hash)
            if durability == .always { try withUnlock(file) { () throws(AuditError) in try file.sync() } }
            file.unlock()
            return hash
        }
        throw .system(.rotate, path: path, errno: EAGAIN)
    }

    /// What ``write(_:state:)`` seals: any record, or a call's decision or outcome in its fixed shape.
    enum Entry {
        case record(AuditRecord)
        case call(AuditCallRecord)

        func sealed(time: AuditTimestamp, seq: Int, run: String, prev: String, authenticator: HMAC?) -> (line: [UInt8], hash: String) {
            switch self {
            case .record(let record): record.sealed(time: time, seq: seq, run: run, prev: prev, authenticator: authenticator)
            case .call(let record): record.sealed(time: time, seq: seq, run: run, prev: prev, authenticator: authenticator)
            }
        }
    }

    /// Runs `body`; if it throws, unlocks `file` first.
    private func withUnlock<R>(_ file: AuditFile, _ body: () throws(AuditError) -> R) throws(AuditError) -> R {
        do {
            return try body()
        } catch {
            file.unlock()
            throw error
        }
    }

    /// The chain's last hash: this log's own last write when nothing came after it, else the
    /// end of the file, else (empty file) the end of `path.1`. When the file is shorter than
    /// after this log's last write, it was truncated: the chain continues from that write, so
    /// the verifier shows the records that were cut.
    private func previous(_ file: AuditFile, identity: AuditFile.Identity, size: Int, state: borrowing State) throws(AuditError) -> AuditFile.Tail {
        if let last = state.last, last.identity == identity, last.size >= size {
            return AuditFile.Tail(hash: last.hash, needsNewline: last.size == size ? false : try file.endsInPartialLine(size: size))
        }
        let tail = try file.tail(size: size)
        if tail.hash != nil { return tail }
        let rotated = try AuditFile.tail(ofClosed: rotatedPath(1))
        return AuditFile.Tail(hash: rotated?.hash, needsNewline: tail.needsNewline)
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

    /// Closes the descriptor (syncing what this log wrote to it) and opens `path` anew.
    private func reopen(state: inout State) throws(AuditError) {
        if let file = state.file {
            if state.dirty { _ = AuditFile.syncData(file.fd) }
            file.closeDescriptor()
        }
        state.file = nil
        state.last = nil
        state.file = try AuditFile.openForAppending(path)
    }
}
