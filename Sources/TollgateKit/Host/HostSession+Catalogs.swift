/// Resources, resource templates and prompts of several servers offered as one: each server's
/// lists are read (every page) when it is ready and again after its `list_changed`; the client's
/// list requests are answered from the union (prompts named like tools, `server__prompt`;
/// resource URIs as they are); `resources/read`, `subscribe`, `unsubscribe`, `prompts/get` and
/// `completion/complete` go to the one server that owns the URI or the prompt. A URI scheme two
/// servers serve is a start-up error (the client's `initialize` is refused and Tollgate stops);
/// one that appears later is served by neither (fail closed) and reported.
extension HostSession {
    // MARK: - Listing

    /// Starts listing every catalog child `child` declared (called when it becomes ready).
    mutating func startCatalogs(_ child: Int, into actions: inout HostActions) {
        for catalog in HostCatalog.allCases where children[child].capabilities[catalog.capability] != nil {
            children[child].catalogPages[catalog] = ListingPages()
            requestCatalogPage(of: child, catalog, cursor: nil, into: &actions)
        }
    }

    private mutating func requestCatalogPage(of child: Int, _ catalog: HostCatalog, cursor: JSONValue?, into actions: inout HostActions) {
        let sent = ids.forward(to: child, clientID: nil, purpose: .listCatalog(catalog))
        let params = childParams(cursor.map { ["cursor": $0] }, for: child)
        actions.send(Reply.request(id: sent.id.bytes, method: catalog.method, params: params.map(JSONValue.object)), toChild: child)
    }

    /// One page of a child's catalog arrived, in a message of `bytes` bytes (nil result: it
    /// answered with an error).
    mutating func catalogListed(_ child: Int, _ catalog: HostCatalog, result: JSONObject?, error: String?, bytes: Int = 0,
                                into actions: inout HostActions) {
        guard var pages = children[child].catalogPages[catalog] else { return }
        guard let result, case .array(let page)? = result[catalog.resultKey] else {
            actions.log("server \(children[child].name) did not list its \(catalog.rawValue) (\(error ?? "no \"\(catalog.resultKey)\" array")); none are offered")
            finishCatalog(child, catalog, items: [], into: &actions)
            return
        }
        let cursor = result["nextCursor"].flatMap { $0 == .null ? nil : $0 }
        let goesOn = pages.add(page, bytes: bytes, hasNext: cursor != nil, limits: limits)
        children[child].catalogPages[catalog] = pages
        if goesOn, let cursor { return requestCatalogPage(of: child, catalog, cursor: cursor, into: &actions) }
        if pages.isCut { actions.log(ListingPages.cutReport(server: children[child].name, what: catalog.rawValue, limits: limits)) }
        finishCatalog(child, catalog, items: pages.items, into: &actions)
    }

    private mutating func finishCatalog(_ child: Int, _ catalog: HostCatalog, items: [JSONObject], into actions: inout HostActions) {
        children[child].catalogPages[catalog] = nil
        children[child].catalogs[catalog] = items
        if isInitialized {
            for scheme in sharedSchemes() where reportedSchemes.insert(scheme.text) {
                actions.log("URI scheme \(scheme) is now served by several servers (\(owners(ofScheme: scheme).map { children[$0].name }.joined(separator: ", "))); neither is asked for its resources")
            }
        }
        answerWaitingCatalogs(into: &actions)
        answerInitializeIfReady(into: &actions)
    }

    /// Whether some child's catalogs are still being listed.
    var isListingCatalogs: Bool { children.contains { !$0.catalogPages.isEmpty } }

    /// Answers the client's waiting list requests once no catalog listing is in progress.
    mutating func answerWaitingCatalogs(into actions: inout HostActions) {
        guard !waiting.catalogs.isEmpty, !isListingCatalogs else { return }
        let answered = waiting.catalogs
        waiting.catalogs = []
        for (id, catalog) in answered { actions.sendClient(catalogList(id: id, catalog)) }
    }

    /// A child's `list_changed` for resources or prompts: its lists are read again and the
    /// client told; `resources/updated` goes to the client as it is (URIs are not renamed).
    mutating func catalogChanged(_ child: Int, method: String, _ envelope: MessageEnvelope, in line: UnsafeRawBufferPointer,
                                 into actions: inout HostActions) {
        guard children[child].phase == .ready, clientEra != .stateless else { return }
        let catalogs: [HostCatalog] = switch ProtocolName(method) {
        case "notifications/resources/list_changed": [.resources, .resourceTemplates]
        case "notifications/prompts/list_changed": [.prompts]
        default: []
        }
        for catalog in catalogs where children[child].capabilities[catalog.capability] != nil && children[child].catalogPages[catalog] == nil {
            children[child].catalogPages[catalog] = ListingPages()
            requestCatalogPage(of: child, catalog, cursor: nil, into: &actions)
        }
        guard takesListChanges else { return }
        var bytes = Array(UnsafeRawBufferPointer(rebasing: line[envelope.span]))
        bytes.append(0x0A)
        actions.sendClient(bytes)
    }

    // MARK: - The client's requests

    /// `resources/list`, `resources/templates/list`, `prompts/list`: the union, in one page.
    mutating func catalogRequest(_ id: RequestID, method: String, params: JSONObject?, into actions: inout HostActions) {
        guard let catalog = HostCatalog(method: method) else { return }
        if params?["cursor"] != nil {
            actions.sendClient(Reply.error(id: id.bytes, JSONRPCError(.invalidParams, "Invalid params: unknown cursor (Tollgate lists every item in one page)")))
        } else if isListingCatalogs {
            waiting.catalogs.append((id, catalog))
        } else {
            actions.sendClient(catalogList(id: id, catalog))
        }
    }

    /// The answer to a list request: every ready child's items, prompts under their exposed
    /// names (a name two servers would expose is offered by neither).
    func catalogList(id: RequestID, _ catalog: HostCatalog) -> [UInt8] {
        var items: [JSONObject] = []
        let prompts = catalog == .prompts ? promptRoutes() : [:]
        for child in children.indices where children[child].phase == .ready {
            for var item in children[child].catalogs[catalog] ?? [] {
                if catalog == .prompts {
                    guard let name = item["name"]?.stringValue else { continue }
                    let exposed = namespace.exposedName(server: child, tool: name)
                    guard prompts[ProtocolName(exposed)]?.child == child else { continue }
                    item["name"] = .string(exposed)
                } else if let scheme = Self.scheme(of: item), owners(ofScheme: scheme).count > 1 {
                    continue
                }
                items.append(item)
            }
        }
        return clientResult(id: id, method: catalog.method, [catalog.resultKey: .array(items.map(JSONValue.object))])
    }

    /// `resources/read|subscribe|unsubscribe` (by `uri`), `prompts/get` (by `name`) and
    /// `completion/complete` (by `ref`): to the owning child, with its own names.
    mutating func routeCatalogRequest(_ id: RequestID, method: String, params: JSONObject?, into actions: inout HostActions) {
        var params = params ?? JSONObject()
        let target: Int?
        switch ProtocolName(method) {
        case "prompts/get":
            target = routePrompt(in: &params, key: "name")
        case "completion/complete":
            guard case .object(var ref)? = params["ref"] else {
                target = nil
                break
            }
            if ref["type"] == "ref/prompt" {
                target = routePrompt(in: &ref, key: "name")
            } else {
                target = ref["uri"]?.stringValue.flatMap(resourceOwner(of:))
            }
            params["ref"] = .object(ref)
        default:
            target = params["uri"]?.stringValue.flatMap(resourceOwner(of:))
        }
        guard let child = target else {
            let what = method.hasSameScalars(as: "prompts/get") || params["ref"]?["type"] == "ref/prompt" ? "prompt" : "resource"
            var error = JSONRPCError(.invalidParams, "Invalid params: no server offers this \(what)")
            if what == "resource" { error.code = Self.resourceNotFoundCode }
            actions.sendClient(Reply.error(id: id.bytes, error))
            return
        }
        if let reason = children[child].unavailableReason {
            actions.sendClient(PendingRequest(clientID: id, purpose: .other(method)).unansweredReply(because: reason))
            return
        }
        let sent = ids.forward(to: child, clientID: id, purpose: .clientRequest(method: method), progressToken: HostLines.progressToken(in: params))
        if let token = sent.progressToken { params = HostLines.replacingProgressToken(in: params, with: token) }
        actions.send(Reply.request(id: sent.id.bytes, method: method, params: childParams(params, for: child).map(JSONValue.object)), toChild: child)
    }

    /// MCP's error code for a resource no server has.
    static let resourceNotFoundCode = -32002

    /// The child owning the exposed prompt name in `object[key]`, which is replaced by the
    /// child's own name.
    private func routePrompt(in object: inout JSONObject, key: String) -> Int? {
        guard let exposed = object[key]?.stringValue, let route = promptRoutes()[ProtocolName(exposed)] else { return nil }
        object[key] = .string(route.name)
        return route.child
    }

    /// Exposed prompt names → owner and own name (compared by bytes); a name two servers
    /// expose has no route.
    func promptRoutes() -> [ProtocolName: (child: Int, name: String)] {
        var routes: [ProtocolName: (child: Int, name: String)] = [:]
        var clashes: Set<ProtocolName> = []
        for child in children.indices where children[child].phase == .ready {
            for prompt in children[child].catalogs[.prompts] ?? [] {
                guard let name = prompt["name"]?.stringValue else { continue }
                let exposed = ProtocolName(namespace.exposedName(server: child, tool: name))
                if routes[exposed] != nil { clashes.insert(exposed) }
                routes[exposed] = (child, name)
            }
        }
        for name in clashes { routes[name] = nil }
        return routes
    }

    // MARK: - URIs

    /// The child serving `uri`: the one that listed it (compared by bytes), else the one whose
    /// resources and templates use its scheme (when exactly one does).
    func resourceOwner(of uri: String) -> Int? {
        for child in children.indices
        where children[child].catalogs[.resources]?.contains(where: { $0["uri"]?.stringValue?.hasSameScalars(as: uri) == true }) == true {
            return child
        }
        guard let scheme = Self.scheme(uri) else { return nil }
        let owners = owners(ofScheme: scheme)
        return owners.count == 1 ? owners[0] : nil
    }

    /// The children whose resources or templates use `scheme`.
    func owners(ofScheme scheme: ProtocolName) -> [Int] {
        children.indices.filter { schemes(of: $0).contains(scheme) }
    }

    /// The URI schemes of a child's resources and templates.
    func schemes(of child: Int) -> Set<ProtocolName> {
        let items = (children[child].catalogs[.resources] ?? []) + (children[child].catalogs[.resourceTemplates] ?? [])
        return Set(items.compactMap(Self.scheme(of:)))
    }

    /// Schemes more than one child serves.
    func sharedSchemes() -> [ProtocolName] {
        var seen: [ProtocolName: Int] = [:]
        for child in children.indices { for scheme in schemes(of: child) { seen[scheme, default: 0] += 1 } }
        return seen.filter { $0.value > 1 }.keys.sorted { $0.text.utf8.lexicographicallyPrecedes($1.text.utf8) }
    }

    /// The scheme of a resource (`uri`) or template (`uriTemplate`).
    static func scheme(of item: JSONObject) -> ProtocolName? {
        (item["uri"] ?? item["uriTemplate"])?.stringValue.flatMap(scheme)
    }

    /// A URI's scheme, in ASCII lower case (RFC 3986: an ASCII letter, then ASCII letters,
    /// digits, `+`, `-`, `.`); nil when the URI has none. Only ASCII bytes qualify, so no other
    /// character can fold into a scheme (U+212A KELVIN SIGN is not `k`).
    static func scheme(_ uri: String) -> ProtocolName? {
        var scheme: [UInt8] = []
        for byte in uri.utf8 {
            if byte == UInt8(ascii: ":") { break }
            let isLetter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
            let isOther = (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            guard isLetter || (isOther && !scheme.isEmpty) else { return nil }
            scheme.append(isLetter ? byte | 0x20 : byte)
        }
        guard !scheme.isEmpty, scheme.count < uri.utf8.count else { return nil }
        return ProtocolName(String(decoding: scheme, as: UTF8.self))
    }
}
