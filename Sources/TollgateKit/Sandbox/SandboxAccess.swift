import CTollgateSupport

/// What a sandbox rule lets the server do beneath a path (Landlock filesystem rights).
public struct SandboxAccess: OptionSet, Sendable, Hashable {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Read files and list directories.
    public static let read = SandboxAccess(rawValue: UInt64(TG_FS_READ_FILE | TG_FS_READ_DIR))
    /// Execute files (`execve`; also what the kernel opens as a script's interpreter).
    public static let execute = SandboxAccess(rawValue: UInt64(TG_FS_EXECUTE))
    /// Write, truncate, create (files, directories, sockets, pipes, links), remove, rename. Not
    /// device nodes.
    public static let write = SandboxAccess(rawValue: UInt64(
        TG_FS_WRITE_FILE | TG_FS_REMOVE_DIR | TG_FS_REMOVE_FILE | TG_FS_MAKE_DIR | TG_FS_MAKE_REG | TG_FS_MAKE_SOCK
            | TG_FS_MAKE_FIFO | TG_FS_MAKE_SYM | TG_FS_REFER | TG_FS_TRUNCATE))
    /// Write and truncate existing files only (what `/dev/null` needs).
    public static let writeFiles = SandboxAccess(rawValue: UInt64(TG_FS_WRITE_FILE | TG_FS_TRUNCATE))
    /// `ioctl` on device files (Landlock ABI 5).
    public static let deviceControl = SandboxAccess(rawValue: UInt64(TG_FS_IOCTL_DEV))

    /// As people read it: `read`, `read+execute`, `read+write`.
    public var summary: String {
        [(SandboxAccess.read, "read"), (.execute, "execute"), (.write, "write"), (.deviceControl, "ioctl")]
            .filter { contains($0.0) }.map(\.1).joined(separator: "+")
    }
}

/// One Landlock rule: what the server may do beneath a path.
public struct SandboxRule: Sendable, Equatable {
    /// An absolute path (symbolic links are followed when the rule is made).
    public var path: String
    public var access: SandboxAccess
    /// Where the rule comes from, for messages: `filesystem.write`, `preset python`, `the program`.
    public var origin: String
    /// Whether a path that does not exist is skipped (a preset's) or stops the start (the user's).
    public var optional: Bool
}
