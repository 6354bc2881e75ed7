// swift-tools-version: 6.0
// nightminer: a CPU stratum miner as a Swift package. Modules as in docs/ARCHITECTURE.md: imports only go down the list.
import PackageDescription

let package = Package(
    name: "nightminer",
    platforms: [.macOS(.v15)],
    products: [
        // The library's face: the miner and the types it speaks (jobs, pools, algorithms, the engine).
        .library(name: "NightMiner", targets: ["NightMiner", "Stratum", "ProofOfWork", "MiningEngine", "JSON"]),
        // The miner as a service with the REST control API, and what runs it as a process.
        .library(name: "MinerService", targets: ["MinerService", "ProcessSupport"]),
        // The stratum test pool, for testing miners and pools.
        .library(name: "TestPool", targets: ["TestPool"]),
        .executable(name: "nightminer", targets: ["nightminer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(name: "Guarded"),
        .target(name: "JSON"),
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        .target(
            name: "ControlAPI",
            dependencies: ["CMicroHTTPD", "Guarded", "JSON", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .target(name: "CHashKernels", exclude: ["sha256_common.h", "sha256d_lanes.h", "scrypt_lanes.h", "scrypt_lanes_x2.h", "scrypt_pbkdf2.h"]),
        .target(name: "ProofOfWork", dependencies: ["Guarded", "CHashKernels"]),
        .target(
            name: "Stratum",
            dependencies: [
                "ProofOfWork", "Guarded", "JSON", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ]),
        .target(name: "MiningEngine", dependencies: ["ProofOfWork", "Guarded", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "TestPool",
            dependencies: [
                "Stratum", "ProofOfWork", "Guarded", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(
            name: "ProcessSupport",
            dependencies: [
                "JSON", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(
            name: "NightMiner",
            dependencies: [
                "ProofOfWork", "Stratum", "MiningEngine", "Guarded", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(
            name: "MinerService",
            dependencies: [
                "NightMiner", "ProcessSupport", "ControlAPI", "ProofOfWork", "Stratum", "MiningEngine", "Guarded", "JSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .target(
            name: "FleetClient",
            dependencies: [
                "NightMiner", "Guarded", "JSON", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        .executableTarget(
            name: "nightminer",
            dependencies: [
                // The products (the library's face: NightMiner with Stratum, ProofOfWork and MiningEngine; the
                // service: MinerService with ProcessSupport; TestPool) and the fleet's client.
                "NightMiner", "Stratum", "ProofOfWork", "MiningEngine", "MinerService", "ProcessSupport", "FleetClient", "TestPool",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "TestFixtures",
            dependencies: ["Stratum", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio")],
            path: "Tests/TestFixtures", exclude: ["vectors.json"]),
        .testTarget(name: "ProofOfWorkTests", dependencies: ["ProofOfWork", "TestFixtures"]),
        .testTarget(
            name: "StratumTests",
            dependencies: [
                "Stratum", "ProofOfWork", "TestFixtures", "Guarded", "JSON", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]),
        .testTarget(name: "MiningEngineTests", dependencies: ["MiningEngine", "ProofOfWork", "Guarded"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "NightMiner", "MinerService", "FleetClient", "ProcessSupport", "TestPool", "Stratum", "ProofOfWork", "TestFixtures",
                "ControlAPI", "JSON", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
            ]),
        .testTarget(name: "ControlAPITests", dependencies: ["ControlAPI", "JSON", "TestFixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
