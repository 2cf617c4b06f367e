// swift-tools-version:6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "ClassroomRelay",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "relayd", targets: ["relayd"]),
        .executable(name: "relay-loadtest", targets: ["relay-loadtest"]),
        .executable(name: "classctl", targets: ["classctl"]),
        .library(name: "RelayCore", targets: ["RelayCore"]),
        .library(name: "RTMP", targets: ["RTMP"]),
        .library(name: "Media", targets: ["Media"]),
        .library(name: "Transcode", targets: ["Transcode"]),
        .library(name: "SRT", targets: ["SRT"]),
        .library(name: "WebRTC", targets: ["WebRTC"]),
        // For the fuzz package (Tests/Fuzz), which decodes the REST API's inputs.
        .library(name: "ControlPlane", targets: ["ControlPlane"]),
        .library(name: "HTTPSurface", targets: ["HTTPSurface"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.9.0"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // C modules: modulemap + shim header only.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat libavcodec libavutil libswscale libswresample libavfilter",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev", "libswresample-dev", "libavfilter-dev"])]
        ),
        // libsrt, the GnuTLS build libavformat links (the OpenSSL build conflicts with it).
        .systemLibrary(
            name: "CSRT",
            pkgConfig: "srt",
            providers: [.apt(["libsrt-gnutls-dev"])]
        ),

        // OpenSSL 3 (DTLS over memory BIOs, certificates) and libsrtp2: imported by WebRTC only.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CSRTP",
            pkgConfig: "libsrtp2",
            providers: [.apt(["libsrtp2-dev"])]
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
            dependencies: [
                "CFFmpeg", "RelayCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // HLS and LL-HLS: a class's renditions packaged as fMP4 parts and segments with their
        // playlists, on Media's muxer.
        .target(
            name: "HLS",
            dependencies: [
                "Media", "RelayCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // The ladder (a class's rungs transcoded on its own thread) and the program (the stage's
        // sites composed into the teacher's picture and mixed into its audio), on Media's codecs.
        .target(
            name: "Transcode",
            dependencies: [
                "Media", "RelayCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
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
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),

        // SRT listener (the only importer of CSRT): sockets on SRT's epoll thread, streamid access
        // control, MPEG-TS ingest and playout through Media's TS demuxer and muxer.
        .target(
            name: "SRT",
            dependencies: [
                "CSRT", "Media", "RelayCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // The SFU leg (the only importer of COpenSSL and CSRTP): STUN/ICE-lite, DTLS, SRTP, SDP,
        // RTP/RTCP, one WebRTC session per viewer, the UDP (and ICE-TCP) media server, WHEP.
        .target(
            name: "WebRTC",
            dependencies: [
                "COpenSSL", "CSRTP", "Media", "RelayCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),

        // The REST API's JSON bodies, shared by HTTPSurface (writes) and classctl (reads).
        .target(name: "RelayAPIModels", swiftSettings: strictSettings),
        // The control plane, no HTTP: schools, pairings, classes and the timetable, their store
        // (SQLite or PostgreSQL), who may publish and play and when, hands and stage, the reports'
        // facts, the recordings' catalogue and the cluster's node directory.
        .target(
            name: "ControlPlane",
            dependencies: [
                "RelayCore", "RelayAPIModels",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // Recording: the recorder (fragmented MP4 on Media's muxer), the catalogue of recordings,
        // their files and their retention.
        .target(
            name: "Recording",
            dependencies: [
                "ControlPlane", "Media", "RelayCore",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // Several nodes as one service: heartbeats and the node directory, pulls from the node
        // (or the higher-level service) that has a stream, with credentials only a peer can use.
        .target(
            name: "Cluster",
            dependencies: [
                "ControlPlane", "RTMP", "RelayCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // The HTTP surface over the others (Hummingbird): the REST API and its OpenAPI document,
        // the media routes (HLS, HTTP-FLV, WHEP/WHIP signalling, recordings), the pages and their
        // assets, the admin login, /metrics, and the HTTP server's own deadlines.
        .target(
            name: "HTTPSurface",
            dependencies: [
                "ControlPlane", "Cluster", "Recording", "RelayCore", "RelayAPIModels",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("openapi.yaml"), .copy("Pages")],
            swiftSettings: strictSettings
        ),

        // One relay node: its configuration (defaults, the YAML file by Decodable, flags) and what
        // it runs, wired into one ServiceGroup: store, media core, listeners, HTTP surface, cluster.
        .target(
            name: "RelayNode",
            dependencies: [
                "RelayCore", "RTMP", "SRT", "Media", "HLS", "Transcode", "ControlPlane", "Cluster", "Recording", "HTTPSurface", "WebRTC",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        // Thin executable: flags, the configuration, one node.
        .executableTarget(
            name: "relayd",
            dependencies: [
                "RelayNode",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),

        // Load generator: N RTMP players (+ a real-time FLV publisher) against any RTMP server.
        .executableTarget(
            name: "relay-loadtest",
            dependencies: [
                "RTMP", "SRT", "WebRTC",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),

        // Operator CLI: REST API client and an FFmpeg-based pusher (broadcast start).
        .executableTarget(
            name: "classctl",
            dependencies: [
                "Media", "RelayCore", "RelayAPIModels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // Helpers the test targets share (media messages, labels, a seeded generator).
        .target(
            name: "RelayTestSupport",
            dependencies: [
                "RelayCore", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "Tests/RelayTestSupport"
        ),
        // A real relayd and child processes for the end-to-end test targets.
        .target(
            name: "ProcessTestSupport",
            dependencies: [.product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            path: "Tests/ProcessTestSupport"
        ),
        .testTarget(
            name: "RelayCoreTests",
            dependencies: [
                "RelayCore", "RelayTestSupport", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "RTMPTests",
            dependencies: [
                "RTMP", "RelayCore", "RelayTestSupport", "ProcessTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            resources: [.copy("Corpus")]
        ),
        .testTarget(
            name: "ControlPlaneTests",
            dependencies: [
                "ControlPlane", "Cluster", "Recording", "HTTPSurface", "RelayCore", "RelayTestSupport", "ProcessTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "MediaTests",
            dependencies: [
                "Media", "HLS", "Transcode", "RelayCore", "RelayTestSupport", "ProcessTestSupport", .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "SRTTests",
            dependencies: ["SRT", "Media", "RelayCore", "RelayTestSupport", "ProcessTestSupport", .product(name: "NIOCore", package: "swift-nio")],
            exclude: ["Corpus"]  // seed corpora for the fuzz targets (Tests/Fuzz)
        ),
        .testTarget(
            name: "WebRTCTests",
            dependencies: [
                "WebRTC", "Media", "RelayCore", "RelayTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "ClassctlTests",
            dependencies: ["classctl", "Media", "ProcessTestSupport"]
        ),
        .testTarget(
            name: "RelayNodeTests",
            dependencies: ["RelayNode", "RTMP", "SRT", "WebRTC", "Media", "Transcode", "RelayCore"]
        ),
        .testTarget(
            name: "RelaydTests",
            dependencies: [
                "RTMP", "RelayCore", "ProcessTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
