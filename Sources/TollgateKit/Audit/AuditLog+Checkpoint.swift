/// Checkpoints of the chain, for ``AuditCheckpoint``.
extension AuditLog {
    /// Where the chain stands now, for every process writing this log (the last record's `seq`
    /// and `hash`, from the lock file); nil before the first record or when the lock cannot be taken.
    public func chainHead() -> (seq: Int, hash: String)? {
        state.withLock { state -> (seq: Int, hash: String)? in
            guard let (chain, _) = try? lock.acquire(known: state.last) else { return nil }
            lock.release(storing: nil)
            guard let chain, chain.seq > 0 else { return nil }
            return (chain.seq, chain.hash)
        }
    }

    /// A checkpoint of the chain as it stands now, authenticated with this log's key when it has one.
    public func checkpoint() -> AuditCheckpoint? {
        chainHead().map { AuditCheckpoint.taken(seq: $0.seq, hash: $0.hash, run: runID, key: key) }
    }
}
