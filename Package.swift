// swift-tools-version:6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "ClassroomRelay",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "relayd", targets: ["relayd"]),
        .library(name: "RelayCore", targets: ["RelayCore"]),
        .library(name: "RTMP", targets: ["RTMP"]),
        .library(name: "Media", targets: ["Media"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // C modules: modulemap + shim header only.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat libavcodec libavutil libswscale libswresample",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev", "libswresample-dev"])]
        ),

        // The core: packets, streams, fan-out, GOP cache, access seam. No C, no sockets.
        .target(
            name: "RelayCore",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // The only importer of CFFmpeg.
        .target(
            name: "Media",
            dependencies: ["CFFmpeg", "RelayCore"],
            swiftSettings: strictSettings
        ),

        // RTMP over SwiftNIO.
        .target(
            name: "RTMP",
            dependencies: [
                "RelayCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // Thin executable: config, flags, one ServiceGroup.
        .executableTarget(
            name: "relayd",
            dependencies: [
                "RelayCore", "RTMP", "Media",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),

        .testTarget(
            name: "RelayCoreTests",
            dependencies: ["RelayCore", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "RTMPTests",
            dependencies: [
                "RTMP", "RelayCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            resources: [.copy("Corpus")]
        ),
        .testTarget(
            name: "MediaTests",
            dependencies: ["Media"]
        ),
        .testTarget(
            name: "RelaydTests",
            dependencies: [
                "RTMP", "RelayCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
