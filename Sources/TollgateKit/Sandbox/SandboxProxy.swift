import CTollgateSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The proxy a sandboxed server with `allowHosts` reaches the network through. Its listening
/// socket lives in the server's network namespace (the child made it there, see ``SandboxPlan``);
/// Tollgate accepts on it and connects out from its own namespace, as ``ProxyPolicy`` allows.
///
/// One thread accepts; each connection gets a thread of its own, at most ``maxConnections`` at a
/// time (more are refused with 503). A request head must arrive within 10 s and be at most 16 KiB;
/// a connection out must be made within 10 s. When the server's process ends, the listener closes
/// and every connection is shut down.
final class SandboxProxy: Sendable {
    /// The most connections served at a time.
    static let maxConnections = 64
    /// How long a request head may take to arrive, and a connection out to be made.
    static let timeoutMilliseconds: Int32 = 10_000

    private let listener: Int32
    private let exited: Int32
    private let policy: ProxyPolicy
    private let recorder: NetworkRecorder
    private let state = Mutex(State())

    private struct State {
        var stopped = false
        var connections = 0
        /// Every socket a connection uses, so that ``stop()`` can shut them down.
        var sockets: Set<Int32> = []
    }

    private init(listener: Int32, exited: Int32, policy: ProxyPolicy, recorder: NetworkRecorder) {
        self.listener = listener
        self.exited = exited
        self.policy = policy
        self.recorder = recorder
    }

    /// Serves `listener` until the process `pid` ends; takes ownership of `listener`.
    static func start(listener: Int32, serving pid: pid_t, policy: ProxyPolicy, recorder: NetworkRecorder) throws(SandboxError) {
        let exited = tg_pidfd_open(pid)
        guard exited >= 0 else {
            close(listener)
            throw SandboxError("allowHosts needs pidfd_open (Linux 5.3): \(String(cString: strerror(errno)))")
        }
        let proxy = SandboxProxy(listener: listener, exited: exited, policy: policy, recorder: recorder)
        startThread { proxy.acceptLoop() }
    }

    private func acceptLoop() {
        var descriptors = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0), pollfd(fd: exited, events: Int16(POLLIN), revents: 0)]
        while true {
            guard poll(&descriptors, 2, -1) >= 0 || errno == EINTR else { break }
            if descriptors[1].revents != 0 { break }
            guard descriptors[0].revents != 0 else { continue }
            let client = tg_accept(listener)
            guard client >= 0 else {
                if errno == EMFILE || errno == ENFILE { usleep(100_000) }
                continue
            }
            let admitted = state.withLock { state in
                guard !state.stopped, state.connections < Self.maxConnections else { return false }
                state.connections += 1
                state.sockets.insert(client)
                return true
            }
            guard admitted else {
                refuse(client, status: 503, method: nil, target: nil, reason: "more than \(Self.maxConnections) connections at once")
                close(client)
                continue
            }
            startThread {
                self.serve(client)
                self.state.withLock { state in
                    state.connections -= 1
                    state.sockets.remove(client)
                }
                close(client)
            }
        }
        stop()
    }

    /// Closes the listener and shuts every connection down (each thread closes its own sockets).
    private func stop() {
        close(listener)
        close(exited)
        state.withLock { state in
            state.stopped = true
            for socket in state.sockets { shutdown(socket, Int32(SHUT_RDWR)) }
        }
    }

    /// Keeps `socket` known for ``stop()``; false (and shut down) when the proxy stopped meanwhile.
    private func track(_ socket: Int32) -> Bool {
        state.withLock { state in
            if state.stopped { shutdown(socket, Int32(SHUT_RDWR)) }
            state.sockets.insert(socket)
            return !state.stopped
        }
    }

    private func untrack(_ socket: Int32) {
        state.withLock { _ = $0.sockets.remove(socket) }
    }

    /// One connection: its request, the decision, the connection out, then bytes both ways.
    private func serve(_ client: Int32) {
        var buffer: [UInt8] = []
        let end: Int
        switch ProxyIO.readHead(client, into: &buffer, limit: ProxyRequest.maxHeadBytes, timeoutMilliseconds: Self.timeoutMilliseconds) {
        case .success(let headEnd): end = headEnd
        case .failure(let refusal):
            if refusal.status != 0 { refuse(client, status: refusal.status, method: nil, target: nil, reason: refusal.reason) }
            return
        }
        let request: ProxyRequest
        switch ProxyRequest.parse(buffer[..<end]) {
        case .success(let parsed): request = parsed
        case .failure(let refusal): return refuse(client, status: refusal.status, method: nil, target: nil, reason: refusal.reason)
        }
        let entry: HostPortPattern
        switch policy.entry(for: request.host, port: request.port) {
        case .success(let matched): entry = matched
        case .failure(let refusal): return refuse(client, status: refusal.status, method: request.method, target: request.target, reason: refusal.reason)
        }
        let resolved = IPAddress(request.host.name).map { [$0] } ?? ProxyIO.resolve(String(decoding: request.host.name, as: UTF8.self))
        let addresses: [IPAddress]
        switch policy.usable(resolved, for: entry, localAddresses: entry.isExact ? [] : IPAddress.local()) {
        case .success(let usable): addresses = usable
        case .failure(let refusal): return refuse(client, status: refusal.status, method: request.method, target: request.target, reason: refusal.reason)
        }
        var failures: [String] = []
        for address in addresses {
            switch ProxyIO.connect(to: address, port: request.port, timeoutMilliseconds: Self.timeoutMilliseconds) {
            case .failure(let error):
                failures.append("\(address.withPort(request.port)): \(String(cString: strerror(error.errno)))")
            case .success(let upstream):
                defer { close(upstream) }
                guard track(upstream) else { return }
                defer { untrack(upstream) }
                return relay(client, upstream, request: request, entry: entry, address: address, leftover: buffer[end...])
            }
        }
        refuse(client, status: 502, method: request.method, target: request.target, reason: "cannot connect: \(failures.joined(separator: "; "))")
    }

    /// Records the allowed connection, answers or forwards the head, then copies both ways.
    private func relay(_ client: Int32, _ upstream: Int32, request: ProxyRequest, entry: HostPortPattern, address: IPAddress, leftover: ArraySlice<UInt8>) {
        do throws(AuditError) {
            try recorder.allowed(method: request.method, target: request.target, entry: entry, address: address.withPort(request.port))
        } catch {
            return refuse(client, status: 503, method: request.method, target: request.target, reason: "the audit trail cannot record it (\(error))")
        }
        let opening = request.forwardedHead.map { $0 + leftover } ?? Array(leftover)
        if request.forwardedHead == nil, !ProxyIO.send(client, ProxyRequest.established[...]) { return }
        if !opening.isEmpty, !ProxyIO.send(upstream, opening[...]) { return }
        ProxyIO.copyBothWays(client, upstream)
    }

    /// Answers `client` with a refusal and records it.
    private func refuse(_ client: Int32, status: Int, method: String?, target: String?, reason: String) {
        recorder.refused(method: method, target: target, reason: reason)
        _ = ProxyIO.send(client, ProxyRequest.refusalResponse(status: status, reason: reason)[...])
    }
}
