// swift-tools-version: 6.0
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

// Linux only: Tollgate uses signalfd, inotify, prctl(PR_SET_PDEATHSIG), process-shared robust
// mutexes and cgroup v2 (see Sources/TollgateKit/System/Platform.swift). Tested on Linux x86_64.
let package = Package(
    name: "Tollgate",
    products: [
        .executable(name: "tollgate", targets: ["tollgate"]),
        .executable(name: "tollgate-bench", targets: ["tollgate-bench"]),
        .library(name: "TollgateKit", targets: ["TollgateKit"]),
    ],
    targets: [
        // Process control Swift cannot do safely between fork and exec.
        .target(name: "CTollgateSupport"),
        // All of Tollgate's logic: JSON, protocol, relay, process, gate.
        .target(
            name: "TollgateKit",
            dependencies: ["CTollgateSupport"],
            swiftSettings: strictSwift
        ),
        // The command-line front end: parses arguments and calls TollgateKit.
        .executableTarget(
            name: "tollgate",
            dependencies: ["TollgateKit"],
            swiftSettings: strictSwift
        ),
        // The benchmark: direct server vs raw relay vs tollgate, interleaved.
        .executableTarget(
            name: "tollgate-bench",
            dependencies: ["TollgateKit"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "TollgateKitTests",
            dependencies: ["TollgateKit"],
            swiftSettings: strictSwift
        ),
        // Runs the built binary against fixture servers, real servers and the Python SDK.
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["TollgateKit", "tollgate"],
            swiftSettings: strictSwift
        ),
    ]
)
