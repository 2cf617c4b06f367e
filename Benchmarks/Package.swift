// swift-tools-version:6.1
// Benchmarks for ClassroomRelay (package-benchmark). A separate package so `make test` never builds
// it and its own .build never fights the main one. Run: `make bench` (or, in this directory,
// `swift package --disable-sandbox benchmark`).
import PackageDescription

// `.package(path: "../")` gets the identity of the checkout's directory name (`main`, `relay`, …),
// so the product references below use whatever that is.
let rootIdentity = Context.packageDirectory.split(separator: "/").dropLast().last.map { String($0).lowercased() } ?? "main"

let relayProducts: [Target.Dependency] = [
    .product(name: "RelayCore", package: rootIdentity),
    .product(name: "RTMP", package: rootIdentity),
    .product(name: "Benchmark", package: "package-benchmark"),
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOEmbedded", package: "swift-nio"),
]

let package = Package(
    name: "ClassroomRelayBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // Fixtures shared by the benchmarks (a real H.264/AAC FLV, its RTMP chunk stream).
        .target(name: "BenchSupport", dependencies: relayProducts, path: "Support/BenchSupport"),
        // Frames per second of the in-process ladder (Benchmarks/compare-transcode.sh runs it beside ffmpeg);
        // under Tools/, not Benchmarks/, so the benchmark plugin does not run it as one of its benchmarks.
        .executableTarget(
            name: "TranscodeBench",
            dependencies: [
                .product(name: "RelayCore", package: rootIdentity),
                .product(name: "Media", package: rootIdentity),
                .product(name: "Transcode", package: rootIdentity),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tools/TranscodeBench"
        ),
        // The WebRTC send path (header + SRTP per packet per viewer, pooled buffers).
        .executableTarget(
            name: "WebRTCSend",
            dependencies: [
                .product(name: "WebRTC", package: rootIdentity),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/WebRTCSend",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ]
        + ["FanOut", "ChunkDecoder", "ChunkEncoder"].map { name in
            .executableTarget(
                name: name,
                dependencies: relayProducts + ["BenchSupport"],
                path: "Benchmarks/\(name)",
                plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
            )
        }
)
