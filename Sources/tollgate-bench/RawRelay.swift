import TollgateKit
#if canImport(Glibc)
import Glibc
#endif

/// The physical limit of a relay: spawn the command and copy bytes both ways with two threads,
/// inspecting nothing. Every overhead figure is relative to this.
enum RawRelay {
    static func run(_ command: [String]) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        guard let child = try? ChildProcess.spawn(.init(arguments: command)) else { return 127 }
        let input = child.input
        let copier = Thread {
            copy(from: 0, to: input)
            close(input)
        }
        copier.start()
        copy(from: child.output, to: 1)
        var status: Int32 = 0
        waitpid(child.pid, &status, 0)
        return 0
    }

    static func copy(from source: Int32, to destination: Int32) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(source, buffer.baseAddress!, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0, writeFully(destination, UnsafeRawBufferPointer(rebasing: buffer[..<n])) else { return }
        }
    }
}

/// A minimal OS thread for the benchmark's own tools.
final class Thread: @unchecked Sendable {
    private let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }

    func start() {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        pthread_create(&thread, nil, { context in
            Unmanaged<Thread>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, context)
        pthread_detach(thread)
    }
}
