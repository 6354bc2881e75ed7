// swift-tools-version: 6.0
// nightminer: a CPU stratum miner as a Swift package. Modules as in docs/ARCHITECTURE.md: imports only go down the list.
import PackageDescription

let package = Package(
    name: "nightminer",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "NightMiner", targets: ["NightMiner"]),
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
            name: "NightMiner",
            dependencies: [
                "ProofOfWork", "Stratum", "MiningEngine", "TestPool", "Guarded", "ControlAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), "JSON",
            ]),
        .executableTarget(
            name: "nightminer",
            dependencies: [
                "NightMiner", "Stratum", "ProofOfWork", "MiningEngine", "TestPool", "ControlAPI", "Guarded", "JSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "TestFixtures", path: "Tests/TestFixtures", exclude: ["vectors.json"]),
        .testTarget(name: "ProofOfWorkTests", dependencies: ["ProofOfWork", "TestFixtures"]),
        .testTarget(name: "StratumTests", dependencies: ["Stratum", "ProofOfWork", "TestFixtures", "Guarded"]),
        .testTarget(name: "MiningEngineTests", dependencies: ["MiningEngine", "ProofOfWork", "Guarded"]),
        .testTarget(name: "EndToEndTests", dependencies: ["NightMiner", "TestPool", "Stratum", "ProofOfWork", "TestFixtures", "ControlAPI"]),
        .testTarget(name: "ControlAPITests", dependencies: ["ControlAPI", "JSON", "TestFixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
