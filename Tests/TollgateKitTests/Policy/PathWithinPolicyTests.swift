#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import TollgateKit

/// A scratch directory tree with symbolic links, removed when the test ends.
final class TempTree {
    let root: String
    private var created: [(path: String, isDirectory: Bool)] = []

    init() throws {
        var template = Array("/tmp/tollgate-path-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestFailure() }
        root = String(cString: made)
    }

    func directory(_ relative: String) {
        let path = root + "/" + relative
        #expect(mkdir(path, 0o755) == 0, "mkdir \(path)")
        created.append((path, true))
    }

    func link(_ relative: String, to target: String) {
        let path = root + "/" + relative
        #expect(symlink(target, path) == 0, "symlink \(path)")
        created.append((path, false))
    }

    deinit {
        for entry in created.reversed() {
            if entry.isDirectory { rmdir(entry.path) } else { unlink(entry.path) }
        }
        rmdir(root)
    }
}

@Suite("pathWithin")
struct PathWithinPolicyTests {
    /// A schema `{"pathWithin": dirs}` with `workingDirectory`.
    func within(_ directories: [String], workingDirectory: String = "/srv/work") throws -> ArgumentSchema {
        let list = JSONValue.array(directories.map(JSONValue.string))
        return try ArgumentSchema(compiling: ["pathWithin": list], strictness: .strict, context: SchemaContext(workingDirectory: workingDirectory))
    }

    func accepts(_ schema: ArgumentSchema, _ path: String) -> Bool {
        schema.validate(.string(path)) == nil
    }

    @Test("lexical normalization: .., ., repeated slashes; whole components only")
    func lexical() throws {
        let schema = try within(["/srv/data"])
        #expect(!accepts(schema, "/srv/data/../etc/passwd"))
        #expect(!accepts(schema, "/srv/data/sub/../../etc/passwd"))
        #expect(accepts(schema, "/srv/data/sub/../file"))
        #expect(accepts(schema, "/srv//data///./reports//q1.csv"))
        #expect(accepts(schema, "/srv/data"))
        #expect(accepts(schema, "/srv/data/"))
        #expect(!accepts(schema, "/srv/data2"))
        #expect(!accepts(schema, "/srv/data2/x"))
        #expect(!accepts(schema, "/srv"))
        #expect(!accepts(schema, "/../srv/data/../../etc"))
        #expect(accepts(schema, "/../../srv/data/x"), ".. at the root stays at the root")
        #expect(accepts(schema, "/srv/data/new/dir/that/does/not/exist.txt"), "missing paths under the folder are allowed")
        let violation = schema.validate("/etc/passwd")
        #expect(violation == SchemaViolation(pointer: "", keyword: "pathWithin", message: "must be a path inside /srv/data"))
    }

    @Test("relative paths start at the working directory; so do relative directories")
    func relative() throws {
        let schema = try within(["out", "/var/cache/"], workingDirectory: "/srv/work")
        #expect(accepts(schema, "out/report.txt"))
        #expect(accepts(schema, "./out"))
        #expect(accepts(schema, "/srv/work/out/x"))
        #expect(!accepts(schema, "report.txt"))
        #expect(!accepts(schema, "out/../../etc/passwd"))
        #expect(!accepts(schema, "../work/outside"))
        #expect(accepts(schema, "/var/cache/apt"))
        #expect(schema.validate("x")?.message == "must be a path inside one of out, /var/cache/")
        #expect(try within(["/"]).validate("anything/at/all") == nil)
    }

    @Test("bad inputs: empty, NUL, too long, not a string")
    func badInputs() throws {
        let schema = try within(["/srv/data"])
        #expect(schema.validate("")?.message == "must be a non-empty path")
        #expect(schema.validate("/srv/data/a\u{0}b")?.keyword == "pathWithin")
        #expect(schema.validate(.string("/srv/data/" + String(repeating: "a", count: 5000)))?.keyword == "pathWithin")
        #expect(schema.validate(3) == SchemaViolation(pointer: "", keyword: "pathWithin", message: "must be a path (a string)"))
        #expect(schema.validate(["/srv/data/x"])?.keyword == "pathWithin")
        let optional = try ArgumentSchema(
            compiling: ["type": ["string", "null"], "pathWithin": ["/srv/data"]], strictness: .strict, context: testContext
        )
        #expect(optional.validate(nil) == nil, "a type the schema lists explicitly passes pathWithin")
        #expect(optional.validate("/etc")?.keyword == "pathWithin")
    }

    @Test("the working directory must be absolute")
    func workingDirectory() throws {
        #expect(throws: SchemaCompileError.self) { try within(["/srv"], workingDirectory: "relative") }
    }

    @Test("symbolic links are resolved, including a link inside pointing outside")
    func symlinks() throws {
        let tree = try TempTree()
        let root = tree.root
        tree.directory("data")
        tree.directory("data/sub")
        tree.directory("outside")
        tree.directory("outside/deeper")
        tree.link("data/escape", to: "../outside")
        tree.link("data/absolute", to: root + "/outside")
        tree.link("data/inner", to: "sub")
        tree.link("data/deep", to: root + "/outside/deeper")
        tree.link("data/dangling", to: root + "/outside/new-file")
        tree.link("data/loop1", to: "loop2")
        tree.link("data/loop2", to: "loop1")
        tree.link("alias", to: "data")
        let schema = try within([root + "/data"])
        #expect(accepts(schema, root + "/data/sub/file"))
        #expect(accepts(schema, root + "/data/inner/new"), "a link to a folder inside stays inside")
        #expect(!accepts(schema, root + "/data/escape/secret"))
        #expect(!accepts(schema, root + "/data/escape"))
        #expect(!accepts(schema, root + "/data/absolute/secret"))
        #expect(!accepts(schema, root + "/data/deep/../file"), "link/.. is the parent of the link's target, as for the kernel")
        #expect(!accepts(schema, root + "/data/dangling"), "a dangling link is followed to where a write would land")
        #expect(accepts(schema, root + "/alias/sub"), "a link to the folder is the folder")
        #expect(!accepts(schema, root + "/alias/escape/x"))
        #expect(schema.validate(.string(root + "/data/loop1"))?.message.contains("symbolic links") == true)
        #expect(accepts(schema, "sub/x") == false, "relative to /srv/work here")
        let relative = try within(["data"], workingDirectory: root)
        #expect(accepts(relative, "data/sub/x"))
        #expect(accepts(relative, "alias/sub/x"))
        #expect(!accepts(relative, "data/escape/x"))
        let viaAlias = try within([root + "/alias"])
        #expect(accepts(viaAlias, root + "/data/x"), "the allowed directory is resolved at compile time")
    }
}
