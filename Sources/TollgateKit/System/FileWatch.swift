import CTollgateSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells a writer (of an audit log, of a budget ledger) when its open file was removed, renamed
/// or had its metadata changed from outside (Linux: inotify, read on a thread of its own), so that
/// it need not look at the file before every record: while nothing happened, the state in the
/// lock file is all it needs. Where inotify is missing, ``changed`` is always true and the writer
/// looks every time.
final class FileWatch: Sendable {
    private let flag = Atomic<Bool>(true)
    /// The inotify descriptor and the watch on the current file (-1: none).
    private let watching: Mutex<(inotify: Int32, watch: Int32)>
    /// Written to stop the thread.
    private let stopPipe: (read: Int32, write: Int32)
    private let stopped = Atomic<Bool>(false)

    init() {
        #if os(Linux)
        let inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        var fds: [Int32] = [-1, -1]
        if inotify >= 0, tg_pipe_cloexec(&fds) != 0 { fds = [-1, -1] }
        watching = Mutex((inotify, -1))
        stopPipe = (fds[0], fds[1])
        if inotify >= 0, fds[0] >= 0 {
            startThread { [self] in run() }
        } else if inotify >= 0 {
            close(inotify)
            watching.withLock { $0.inotify = -1 }
        }
        #else
        watching = Mutex((-1, -1))
        stopPipe = (-1, -1)
        #endif
    }

    /// Whether the file may have changed since ``acknowledge()`` (always true without a watch).
    var changed: Bool { flag.load(ordering: .acquiring) }

    /// Clears ``changed``; call it before looking at the file, so that nothing after is missed.
    func acknowledge() {
        let active = watching.withLock { $0.watch >= 0 }
        if active { flag.store(false, ordering: .releasing) }
    }

    /// Watches the file `path` names now (the one just opened), instead of the one before.
    func watch(_ path: String) {
        #if os(Linux)
        watching.withLock { state in
            guard state.inotify >= 0 else { return }
            if state.watch >= 0 { _ = inotify_rm_watch(state.inotify, state.watch) }
            state.watch = inotify_add_watch(state.inotify, path, UInt32(IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF))
        }
        #endif
        flag.store(true, ordering: .releasing)
    }

    /// Ends the thread (which closes the descriptors); later calls do nothing.
    func stop() {
        guard stopPipe.write >= 0, !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 0
        _ = write(stopPipe.write, &byte, 1)
    }

    /// Waits for events (each one sets ``changed``) until ``stop()``.
    private func run() {
        let inotify = watching.withLock { $0.inotify }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var fds = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: stopPipe.read, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 2, -1) >= 0 else {
                if errno != EINTR { usleep(100_000) }
                continue
            }
            if fds[1].revents != 0 { break }
            if fds[0].revents != 0 {
                while buffer.withUnsafeMutableBytes({ read(inotify, $0.baseAddress, $0.count) }) > 0 {}
                flag.store(true, ordering: .releasing)
            }
        }
        flag.store(true, ordering: .releasing)
        watching.withLock { state in
            close(state.inotify)
            state = (-1, -1)
        }
        close(stopPipe.read)
        close(stopPipe.write)
    }
}
