/// A child started again after it failed (the I/O layer's ``RestartSchedule`` decides when): it
/// is a new process with a new session, initialized by Tollgate as the first one was, listed
/// again, and the client is told its tool list changed.
extension HostSession {
    /// Child `child` was started again at `now`. When the client has already begun its session
    /// the child is initialized at once with the client's params (and its start timeout); else
    /// it waits for the client's `initialize` like the others. Ids of the old process were all
    /// answered when it ended (``childGone(_:because:keepListed:)``) and the map never gives an
    /// id out twice, so nothing of the old process can be taken for the new one's.
    public mutating func childRestarted(_ child: Int, now: Int64 = 0) -> HostActions {
        var actions = HostActions()
        var fresh = HostChild(name: children[child].name)
        fresh.tools = children[child].tools  // kept listed while it was down, until it lists again
        fresh.notifyWhenListed = true
        children[child] = fresh
        if clientEra != nil {
            initializeChildren(now: now, into: &actions)
        }
        actions.log("server \(fresh.name) started again")
        return actions
    }

    /// Sends the calls that waited for child `child`'s handshake once it is ready, or answers
    /// them `server_unavailable` when it failed or is gone.
    mutating func releaseCallsWaiting(for child: Int, into actions: inout HostActions) {
        guard !children[child].isInitializing, let calls = waiting.forStart.removeValue(forKey: child) else { return }
        let first = actions.forwardedCalls.count
        for call in calls { forward(call, now: lastNow, into: &actions) }
        // Their effects were queued when they were decided, maybe by another thread.
        for index in first..<actions.forwardedCalls.count { actions.forwardedCalls[index].decidedBefore = true }
    }

    // MARK: - Servers a reload adds, changes or removes

    /// A server the reloaded manifest adds: a new child, down until its process is started
    /// (``childRestarted(_:now:)``, which initializes it); returns its index.
    public mutating func addChild(_ server: ToolNamespace.Server, startTimeout: Int64) -> Int {
        var child = HostChild(name: server.name)
        child.phase = .gone("starting: added by a reload of the manifest")
        if startTimeouts.count == children.count { startTimeouts.append(startTimeout) }
        children.append(child)
        namespace.servers.append(server)
        return children.count - 1
    }

    /// A server whose entry a reload changed keeps its index and takes these settings (its
    /// process is started again with them).
    public mutating func updateChild(_ child: Int, _ server: ToolNamespace.Server, startTimeout: Int64) {
        namespace.servers[child] = server
        if startTimeouts.indices.contains(child) { startTimeouts[child] = startTimeout }
    }
}
