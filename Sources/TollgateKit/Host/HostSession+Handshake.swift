/// The handshake and the tool listing of an aggregating gate: the client's `initialize` starts
/// each child's, the answer waits for every child; each child's tools are listed (every page)
/// as soon as it is ready and again after its `notifications/tools/list_changed`.
extension HostSession {
    /// The version Tollgate answers a client asking for `requested`: the same when supported,
    /// else the latest it speaks.
    static func version(for requested: String?) -> String {
        if let requested, supportedVersions.contains(where: { $0.hasSameScalars(as: requested) }) { return requested }
        return supportedVersions[supportedVersions.count - 1]
    }

    /// The client's `initialize`: each child is initialized with the client's params (the
    /// version Tollgate chose in place of the client's); the answer waits for all of them.
    mutating func initialize(_ id: RequestID, params: JSONObject?, now: Int64 = 0, into actions: inout HostActions) {
        guard !isInitialized, waiting.initialize == nil else {
            actions.sendClient(Reply.error(id: id.bytes, JSONRPCError(.invalidRequest, "Invalid Request: the session is already initialized")))
            return
        }
        let version = Self.version(for: params?["protocolVersion"]?.stringValue)
        clientParams = params ?? JSONObject()
        approvals.clientCanElicit = Elicitation.clientCanElicit(capabilities: params?["capabilities"])
        clientParams["protocolVersion"] = .string(version)
        if clientParams["capabilities"] == nil { clientParams["capabilities"] = [:] }
        clientInfo = clientParams["clientInfo"]
        gate.clientIdentified(clientInfo)
        waiting.initialize = (id, version)
        initializeChildren(now: now, into: &actions)
        answerInitializeIfReady(into: &actions)
    }

    /// Sends each child not started yet `initialize` with ``clientParams``.
    mutating func initializeChildren(now: Int64, into actions: inout HostActions) {
        for index in children.indices where children[index].phase == .idle {
            let sent = ids.forward(to: index, clientID: nil, purpose: .initialize)
            actions.send(Reply.request(id: sent.id.bytes, method: "initialize", params: .object(clientParams)), toChild: index)
            children[index].phase = .initializing
            if startTimeouts.indices.contains(index) { timers.set(.request(sent.id), at: now + startTimeouts[index]) }
        }
    }

    /// A child answered `initialize`: it becomes ready (and is listed), or failed.
    mutating func childInitialized(_ child: Int, result: JSONObject?, error: String?, into actions: inout HostActions) {
        guard children[child].isInitializing else { return }
        if let result, let version = result["protocolVersion"]?.stringValue {
            actions.send(Reply.notification(method: "notifications/initialized", params: nil), toChild: child)
            becomeReady(child, era: .session, version: version, result: result, into: &actions)
        } else {
            failedToInitialize(child, because: error ?? "its initialize result has no protocolVersion", into: &actions)
        }
        releaseCallsWaiting(for: child, into: &actions)
        answerInitializeIfReady(into: &actions)
    }

    /// Child `child` could not be initialized: its tools are not offered.
    mutating func failedToInitialize(_ child: Int, because why: String, into actions: inout HostActions) {
        children[child].phase = .failed(why)
        actions.log("server \(children[child].name) failed to initialize: \(why); its tools are not offered")
    }

    /// Child `child` finished its handshake (`initialize`, or `server/discover` for a stateless
    /// one): it takes requests, and what it offers is listed.
    mutating func becomeReady(_ child: Int, era: ProtocolEra, version: String, result: JSONObject, into actions: inout HostActions) {
        children[child].phase = .ready
        children[child].era = era
        children[child].protocolVersion = version
        children[child].capabilities = result["capabilities"]?.objectValue ?? JSONObject()
        children[child].instructions = result["instructions"]?.stringValue
        if children[child].capabilities["tools"] != nil {
            startListing(child, into: &actions)
        } else {
            children[child].tools = []
        }
        startCatalogs(child, into: &actions)
    }

    /// Answers the client's `initialize` once no child still owes its answer (for a stateless
    /// client: handles the requests that waited for the children).
    mutating func answerInitializeIfReady(into actions: inout HostActions) {
        guard !children.contains(where: \.isInitializing) else { return }
        // The first answer also waits for the resource lists: a URI scheme two servers serve
        // stops Tollgate before the client is told it is ready.
        if !isInitialized && (waiting.initialize != nil || clientEra == .stateless) {
            guard !isListingCatalogs else { return }
            let shared = sharedSchemes()
            if !shared.isEmpty {
                let named = shared.map { scheme in "\(scheme) (\(owners(ofScheme: scheme).map { children[$0].name }.joined(separator: ", ")))" }
                let reason = "URI schemes served by more than one server: \(named.joined(separator: "; ")); resource URIs are not renamed, so each scheme must belong to one server (remove one of them from the manifest, or have it serve another scheme)"
                if let pending = waiting.initialize {
                    actions.sendClient(Reply.error(id: pending.id.bytes, JSONRPCError(.internalError, "Tollgate cannot start: \(reason)")))
                    waiting.initialize = nil
                }
                actions.stop = "cannot start: \(reason)"
                return
            }
        }
        if clientEra == .stateless { return statelessChildrenSettled(into: &actions) }
        guard let pending = waiting.initialize else { return }
        waiting.initialize = nil
        isInitialized = true
        var capabilities = JSONObject()
        capabilities["tools"] = ["listChanged": true]
        let ready = children.filter { $0.phase == .ready }
        if ready.contains(where: { $0.capabilities["logging"] != nil }) {
            capabilities["logging"] = [:]
        }
        if ready.contains(where: { $0.capabilities["resources"] != nil }) {
            let subscribes = ready.contains { $0.capabilities["resources"]?["subscribe"] == .bool(true) }
            capabilities["resources"] = subscribes ? ["subscribe": true, "listChanged": true] : ["listChanged": true]
        }
        if ready.contains(where: { $0.capabilities["prompts"] != nil }) { capabilities["prompts"] = ["listChanged": true] }
        if ready.contains(where: { $0.capabilities["completions"] != nil }) { capabilities["completions"] = [:] }
        var result = JSONObject()
        result["protocolVersion"] = .string(pending.version)
        result["capabilities"] = .object(capabilities)
        result["serverInfo"] = Self.serverInfo
        if let instructions = mergedInstructions { result["instructions"] = .string(instructions) }
        actions.sendClient(Reply.result(id: pending.id.bytes, .object(result)))
    }

    /// Tollgate's identity as a server.
    static var serverInfo: JSONValue { ["name": "tollgate", "version": .string(Usage.version)] }

    /// The children's instructions under their names, or nil when none gave any.
    var mergedInstructions: String? {
        let instructions = children.compactMap { child in
            child.instructions.map { "## \(child.name)\n\($0)" }
        }
        guard !instructions.isEmpty else { return nil }
        return "Tools of several servers, named server\(namespace.separator)tool.\n\n" + instructions.joined(separator: "\n\n")
    }

    // MARK: - Listings

    /// Whether a listing is in progress (the client's `tools/list` then waits for it).
    var isListing: Bool { children.contains { $0.fetching != nil } }

    /// Starts listing a child's tools (first page).
    mutating func startListing(_ child: Int, into actions: inout HostActions) {
        children[child].fetching = ListingPages()
        requestPage(of: child, cursor: nil, into: &actions)
    }

    private mutating func requestPage(of child: Int, cursor: JSONValue?, into actions: inout HostActions) {
        let sent = ids.forward(to: child, clientID: nil, purpose: .listTools)
        let params = childParams(cursor.map { ["cursor": $0] }, for: child)
        actions.send(Reply.request(id: sent.id.bytes, method: "tools/list", params: params.map(JSONValue.object)), toChild: child)
    }

    /// The child's `notifications/tools/list_changed`: list again, then tell the client.
    mutating func toolsChanged(_ child: Int, into actions: inout HostActions) {
        guard children[child].phase == .ready else { return }
        children[child].notifyWhenListed = true
        if children[child].fetching != nil {
            children[child].listAgain = true
        } else {
            startListing(child, into: &actions)
        }
    }

    /// One page of a child's listing arrived, in a message of `bytes` bytes (nil result: the
    /// child answered with an error).
    mutating func childListed(_ child: Int, result: JSONObject?, error: String?, bytes: Int = 0, into actions: inout HostActions) {
        guard var pages = children[child].fetching else { return }
        guard let result, case .array(let page)? = result["tools"] else {
            actions.log("server \(children[child].name) did not list its tools (\(error ?? "no \"tools\" array")); none are offered")
            finishListing(child, tools: [], into: &actions)
            return
        }
        let cursor = result["nextCursor"].flatMap { $0 == .null ? nil : $0 }
        let goesOn = pages.add(page, bytes: bytes, hasNext: cursor != nil, limits: limits)
        children[child].fetching = pages
        if goesOn, let cursor { return requestPage(of: child, cursor: cursor, into: &actions) }
        if pages.isCut { actions.log(ListingPages.cutReport(server: children[child].name, what: "tools", limits: limits)) }
        finishListing(child, tools: pages.items, into: &actions)
    }

    private mutating func finishListing(_ child: Int, tools: [JSONObject], into actions: inout HostActions) {
        children[child].fetching = nil
        if children[child].listAgain {
            children[child].listAgain = false
            startListing(child, into: &actions)
            return
        }
        children[child].tools = tools
        rebuildUnion(into: &actions)
        if children[child].notifyWhenListed {
            children[child].notifyWhenListed = false
            if takesListChanges { actions.sendClient(Reply.notification(method: "notifications/tools/list_changed", params: nil)) }
        }
    }

    /// Rebuilds the agent's view after a listing changed, and answers the client's waiting
    /// `tools/list` requests once no listing is in progress.
    mutating func rebuildUnion(into actions: inout HostActions) {
        union = namespace.union(children.map(\.tools))
        for problem in union.problems where reportedProblems.insert(problem) {
            actions.log(problem)
        }
        if !union.listedTwice.isEmpty { gate.toolsListedTwice(union.listedTwice) }
        guard !isListing else { return }
        let answered = waiting.lists
        waiting.lists = []
        for id in answered { actions.sendClient(toolList(id: id)) }
    }

    /// The answer to the client's `tools/list`: the union, filtered by the gate.
    mutating func toolList(id: RequestID) -> [UInt8] {
        var result = JSONObject()
        result["tools"] = .array(union.tools.map(JSONValue.object))
        if gate.inspectsToolLists, let filtered = gate.filterToolList(result, cursor: nil).result { result = filtered }
        return clientResult(id: id, method: "tools/list", result)
    }
}
