import CTollgateSupport
import TollgateKit
#if canImport(Glibc)
import Glibc
#endif

/// `tollgate-bench store`: the budget store's cost, against a redis-server of its own on a Unix
/// socket. The floor is the benchmark's own `EVALSHA` of the reservation script on that socket;
/// a gated call with the full configuration (policy, budgets with a cost, caps, a rate and
/// maxResultTokens, an audit trail) is measured with in-memory budgets and with the store,
/// interleaved, unpinned and pinned (tollgate and its server on one CPU, the client and Redis
/// on another); then pipelined throughput through one gate against pipelined `EVALSHA`, and
/// through 1 to 8 gates at once.
enum StoreBench {
    static func run(tollgate: String, server: [String], rounds: Int, sequential: Int, pipelined: Int) -> Int32 {
        guard let redis = Redis.start() else { return 1 }
        defer { redis.stop() }
        let endpoint = StoreEndpoint(address: .unix(path: redis.socket))
        let budgets = #""calls": 1000000000000, "cost": 1000000000, "resultTokens": 1000000000000, "rate": "1000000/s", "burst": 1000000"#
        let tools = #""echo": {"cost": 0.001, "maxResultTokens": 1000, "arguments": {"type": "object", "properties": {"text": {"type": "string", "maxLength": 100}}, "additionalProperties": false}}"#
        let memoryPath = redis.directory + "/full.json", storePath = redis.directory + "/full-store.json"
        writeManifest(memoryPath, #"{"version": 1, "budgets": {\#(budgets)}, "tools": {\#(tools)}, "audit": {"path": "\#(redis.directory)/memory.audit", "rotateMB": 8}}"#)
        writeManifest(storePath, #"{"version": 1, "budgets": {\#(budgets), "store": "redis+unix://\#(redis.socket)", "storeTimeoutMs": 1000, "namespace": "bench"}, "tools": {\#(tools)}, "audit": {"path": "\#(redis.directory)/store.audit", "rotateMB": 8}}"#)
        let cpus = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        var floors: [Bool: [Double]] = [:], accounts: [Bool: [Double]] = [:], memory: [Bool: [Double]] = [:], store: [Bool: [Double]] = [:]
        var gateRates: [Double] = [], evalshaRates: [Double] = []
        for round in 1...rounds {
            for pinned in [false, true] {
                // sched_setaffinity on a pid moves its main thread; Redis answers on it.
                Affinity.set(redis.pid, pinned ? [cpus > 1 ? 1 : 0] : nil)
                Affinity.set(0, pinned ? [cpus > 1 ? 1 : 0] : nil)
                do throws(StoreError) {
                    floors[pinned, default: []].append(Double(BudgetBenchmark.Timing(try StoreBenchmark.evalsha(endpoint, namespace: "floor", count: sequential)).p50) / 1000)
                } catch {
                    FileHandleStderr.write("EVALSHA failed: \(error)\n")
                    return 1
                }
                do throws(LedgerError) {
                    accounts[pinned, default: []].append(Double(BudgetBenchmark.Timing(try StoreBenchmark.account(endpoint, namespace: "account", count: sequential)).p50) / 1000)
                } catch {
                    FileHandleStderr.write("the account failed: \(error)\n")
                    return 1
                }
                for (manifest, into) in [(memoryPath, 0), (storePath, 1)] {
                    let affinity = Affinity.around(gate: pinned ? [0] : nil, client: pinned ? [cpus > 1 ? 1 : 0] : nil)
                    affinity.before()
                    guard let trip = RoundTrip.measure([tollgate, "run", "--manifest", manifest, "--"] + server, sequential: sequential,
                                                       pipelined: pinned ? 0 : pipelined, afterSpawn: affinity.after) else {
                        FileHandleStderr.write("the gate failed (\(manifest)); see its audit log and stderr\n")
                        return 1
                    }
                    if into == 0 { memory[pinned, default: []].append(trip.p50) } else { store[pinned, default: []].append(trip.p50) }
                    if into == 1 && !pinned { gateRates.append(trip.callsPerSecond) }
                }
            }
            Affinity.set(redis.pid, nil)
            Affinity.set(0, nil)
            do throws(StoreError) {
                evalshaRates.append(try StoreBenchmark.pipelinedRate(endpoint, namespace: "pipelined", total: pipelined, batch: 64))
            } catch {
                FileHandleStderr.write("pipelined EVALSHA failed: \(error)\n")
                return 1
            }
            FileHandleStderr.write("store round \(round)/\(rounds) done\n")
        }
        print("Budget store benchmark: redis-server on a Unix socket, \(rounds) interleaved rounds of \(sequential) sequential + \(pipelined) pipelined calls; medians of rounds")
        for pinned in [false, true] {
            let floor = median(floors[pinned]!), inMemory = median(memory[pinned]!), withStore = median(store[pinned]!)
            let added = withStore - inMemory
            print("\(pinned ? "pinned  " : "unpinned"): EVALSHA floor p50 \(fmt(floor)) µs (in-process account reserve + settle \(fmt(median(accounts[pinned]!))) µs); full configuration p50 \(fmt(inMemory)) µs in memory, \(fmt(withStore)) µs with the store: added \(fmt(added)) µs (goal ≤ floor + 10 = \(fmt(floor + 10)) µs)")
        }
        let gateRate = median(gateRates), evalshaRate = median(evalshaRates)
        print("pipelined: EVALSHA (64 per round trip) \(fmt(evalshaRate, 0)) reservations/s; through one gate with the store \(fmt(gateRate, 0)) calls/s; ratio \(fmt(gateRate / evalshaRate, 2)) (goal ≥ 0.5)")
        var line = "throughput through 1 to 8 gates at once (calls/s, all gates together):"
        for gates in [1, 2, 4, 8] {
            guard let rate = Throughput.measure(Array(repeating: [tollgate, "run", "--manifest", storePath, "--"] + server, count: gates), pipelined: pipelined / gates) else {
                FileHandleStderr.write("the \(gates)-gate run failed\n")
                return 1
            }
            line += " \(gates): \(fmt(rate, 0))"
        }
        print(line)
        return 0
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    static func fmt(_ value: Double, _ digits: Int = 1) -> String {
        let scale = pow(10.0, Double(digits))
        return String((value * scale).rounded() / scale)
    }
}

/// A redis-server of the benchmark's own, on a Unix socket in a temporary folder, stopped by pid.
struct Redis {
    let directory: String
    let socket: String
    let pid: pid_t

    static func start() -> Redis? {
        var template = Array("/tmp/tollgate-bench-redis-XXXXXX".utf8CString)
        guard let folder = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { return nil }
        let directory = String(cString: folder)
        let socket = directory + "/redis.sock"
        let command = "redis-server --port 0 --unixsocket '\(socket)' --save '' --appendonly no --dir '\(directory)' --daemonize yes --pidfile '\(directory)/redis.pid' --logfile '\(directory)/redis.log'"
        guard system(command) == 0 else {
            FileHandleStderr.write("cannot start redis-server (is it installed? apt-get install redis-server)\n")
            return nil
        }
        for _ in 0..<200 {
            if let text = try? FileIO.read(directory + "/redis.pid"), let pid = pid_t(String(decoding: text, as: UTF8.self).filter(\.isNumber)), access(socket, F_OK) == 0 {
                return Redis(directory: directory, socket: socket, pid: pid)
            }
            usleep(10_000)
        }
        FileHandleStderr.write("redis-server did not start; see \(directory)/redis.log\n")
        return nil
    }

    func stop() {
        kill(pid, SIGTERM)
        for _ in 0..<500 where kill(pid, 0) == 0 { usleep(10_000) }
        _ = system("rm -rf '\(directory)'")
    }
}

/// CPU affinity (`sched_setaffinity`): pinned runs put tollgate and its server on one CPU, the
/// client and Redis on another.
enum Affinity {
    /// Sets the CPUs of thread `pid` (0: the calling one); nil: every CPU.
    static func set(_ pid: pid_t, _ cpus: [Int]?) {
        let all = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let mask = (cpus ?? Array(0..<Swift.min(all, 64))).reduce(UInt64(0)) { $0 | (1 << UInt64($1)) }
        _ = tg_set_affinity(pid, mask)
    }

    /// This thread's CPU set for a process it is about to start (`gate`), and for itself once
    /// the process started (`client`); nil: every CPU.
    static func around(gate: [Int]?, client: [Int]?) -> (before: () -> Void, after: () -> Void) {
        ({ set(0, gate) }, { set(0, client) })
    }
}

/// Pipelined throughput of several gates at once: each gets `pipelined` calls from a writer
/// thread of its own while a reader thread of its own counts the answers.
enum Throughput {
    /// All gates' calls per second, from the first write to the last answer; nil on a failure.
    static func measure(_ commands: [[String]], pipelined: Int) -> Double? {
        signal(SIGPIPE, SIG_IGN)
        var children: [ChildProcess] = []
        for command in commands {
            guard let child = try? ChildProcess.spawn(.init(arguments: command)) else { return nil }
            children.append(child)
            _ = Array((#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}"# + "\n").utf8)
                .withUnsafeBytes { writeFully(child.input, $0) }
        }
        for child in children {
            var reader = LineReader(fd: child.output)
            guard reader.nextLine() else { return nil }
        }
        let start = RoundTrip.now()
        let finished = Counter()
        var threads: [Thread] = []
        for (index, child) in children.enumerated() {
            let input = child.input, output = child.output
            threads.append(Thread {
                var batch: [UInt8] = []
                for call in 0..<pipelined {
                    batch.append(contentsOf: #"{"jsonrpc":"2.0","id":\#(1_000_000 * (index + 1) + call),"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}"#.utf8)
                    batch.append(0x0A)
                    if batch.count > 4096 { _ = batch.withUnsafeBytes { writeFully(input, $0) }; batch.removeAll(keepingCapacity: true) }
                }
                _ = batch.withUnsafeBytes { writeFully(input, $0) }
            })
            threads.append(Thread {
                var reader = LineReader(fd: output)
                for _ in 0..<pipelined where !reader.nextLine() { break }
                finished.add()
            })
        }
        for thread in threads { thread.start() }
        while finished.value < children.count { usleep(1000) }
        let elapsed = RoundTrip.now() - start
        for child in children {
            close(child.input)
            var status: Int32 = 0
            waitpid(child.pid, &status, 0)
            close(child.output)
        }
        return Double(pipelined * children.count) / (elapsed / 1e6)
    }
}

/// A count shared by threads.
final class Counter: @unchecked Sendable {
    private var count = 0
    private var lock = pthread_mutex_t()

    init() { pthread_mutex_init(&lock, nil) }

    func add() {
        pthread_mutex_lock(&lock)
        count += 1
        pthread_mutex_unlock(&lock)
    }

    var value: Int {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return count
    }
}
