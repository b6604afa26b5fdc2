import Foundation

/// Paths inside the repository, derived from this file's location.
enum Repository {
    /// `<root>`: this file is `<root>/Tests/EndToEndTests/Support/TollgateBinary.swift`.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var fixtures: String { root + "/Tests/Fixtures" }
    static var fixtureServer: String { fixtures + "/fixture_server.py" }
    static var sdkClient: String { fixtures + "/sdk_client.py" }
    static var recordingSDKServer: String { fixtures + "/recording_sdk_server.py" }
    static var framingPeer: String { fixtures + "/framing_peer.py" }
    static var framingPeerNode: String { fixtures + "/framing_peer.js" }
    static var pythonEnvScript: String { root + "/scripts/python-env" }
}

/// The `tollgate` executable under test.
///
/// `TOLLGATE_BINARY` wins when set. Otherwise it is the `tollgate` SwiftPM built into the same
/// products directory as this test bundle (found from the running test executable, `Bundle.main`
/// and any loaded `.xctest` bundle), and last `<root>/.build/debug/tollgate`.
enum TollgateBinary {
    private static let located: Result<String, E2EError> = locate()

    /// The path, or an error saying where it was looked for.
    static func path() throws -> String {
        try located.get()
    }

    private static func locate() -> Result<String, E2EError> {
        let fileManager = FileManager.default
        if let override = ProcessInfo.processInfo.environment["TOLLGATE_BINARY"], !override.isEmpty {
            guard fileManager.isExecutableFile(atPath: override) else {
                return .failure(E2EError("TOLLGATE_BINARY=\(override) is not an executable file"))
            }
            return .success(override)
        }
        var directories: [URL] = []
        if let executable = Bundle.main.executableURL { directories.append(executable.deletingLastPathComponent()) }
        directories.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        if let exe = try? fileManager.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            directories.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
        }
        for bundle in [Bundle.main] + Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        directories.append(Bundle.main.bundleURL)
        var tried: [String] = []
        for directory in directories {
            // On macOS the executable sits inside `X.xctest/Contents/MacOS`; walk up a little.
            var candidate = directory.standardizedFileURL
            for _ in 0..<4 {
                let path = candidate.appendingPathComponent("tollgate").path
                if !tried.contains(path) {
                    tried.append(path)
                    if isExecutableRegularFile(path) { return .success(path) }
                }
                candidate.deleteLastPathComponent()
            }
        }
        let fallback = Repository.root + "/.build/debug/tollgate"
        if isExecutableRegularFile(fallback) { return .success(fallback) }
        tried.append(fallback)
        return .failure(E2EError("""
            cannot find the built `tollgate` executable (run `swift build --build-tests` first, or set \
            TOLLGATE_BINARY); looked at: \(tried.joined(separator: ", "))
            """))
    }

    private static func isExecutableRegularFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }
}
