// swift-tools-version:6.1
// libFuzzer targets for ClassroomRelay's hostile-input surfaces. A separate package (like
// Benchmarks/) so `make test` never builds it: its whole dependency graph is instrumented with
// `-sanitize=fuzzer`, in its own .build. Run: `make fuzz` (FUZZ_SECONDS per target), or
// `scripts/fuzz.sh`. Each target is one executable: its Entry.swift (@main) hands the command line and its
// test-one-input function to libFuzzer's LLVMFuzzerRunDriver (SwiftPM renames every executable's
// main, so libFuzzer's own main() cannot be the entry point).
//
// Targets (seed corpora in Tests/RTMPTests/Corpus and Tests/Fuzz/Seeds):
//   FuzzHandshake     RTMP handshake state machine, bytes split at every boundary the input picks
//   FuzzChunkDecoder  RTMP chunk decoder (all header formats, control messages) + command/data AMF
//   FuzzAMF0          AMF0 value decoder
//   FuzzAPIJSON       REST API input types (schools, pairings, classes, recurrence) + time parsing
//   FuzzSRTStreamID   SRT streamid (`#!::r=…,m=…,s=…` and `live/x?key=`) parser + rendition split
//   FuzzMPEGTS        the SRT path's MPEG-TS ingest (libavformat demuxer + Annex B/ADTS conversion)
//   FuzzSTUN          STUN decoding + integrity/fingerprint + the ICE-lite answer, ICE-TCP framing in
//                     pieces the input picks, the media port's demultiplexer
//   FuzzSDP           SDP offer parser + WHEP (send) and WHIP (receive) negotiation
//   FuzzRTCP          RTCP compound parser (+ re-write), RTP packet/header parser, H.264 depacketizer
import PackageDescription

// `.package(path: "../..")` gets the identity of the checkout's directory name (`main`, `wt-rel`, …).
let rootIdentity = Context.packageDirectory.split(separator: "/").dropLast(2).last.map { String($0).lowercased() } ?? "main"

let package = Package(
    name: "ClassroomRelayFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(name: "CFuzzDriver", path: "Targets/CFuzzDriver"),
        .executableTarget(
            name: "FuzzHandshake",
            dependencies: ["CFuzzDriver", .product(name: "RTMP", package: rootIdentity), .product(name: "NIOCore", package: "swift-nio")],
            path: "Targets/FuzzHandshake"
        ),
        .executableTarget(
            name: "FuzzChunkDecoder",
            dependencies: [
                "CFuzzDriver", .product(name: "RTMP", package: rootIdentity), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "Targets/FuzzChunkDecoder"
        ),
        .executableTarget(
            name: "FuzzAMF0",
            dependencies: ["CFuzzDriver", .product(name: "RTMP", package: rootIdentity), .product(name: "NIOCore", package: "swift-nio")],
            path: "Targets/FuzzAMF0"
        ),
        .executableTarget(
            name: "FuzzAPIJSON",
            dependencies: ["CFuzzDriver", .product(name: "ControlPlane", package: rootIdentity)],
            path: "Targets/FuzzAPIJSON"
        ),
        .executableTarget(
            name: "FuzzSRTStreamID",
            dependencies: ["CFuzzDriver", .product(name: "SRT", package: rootIdentity)],
            path: "Targets/FuzzSRTStreamID"
        ),
        .executableTarget(
            name: "FuzzMPEGTS",
            dependencies: ["CFuzzDriver", .product(name: "Media", package: rootIdentity), .product(name: "RelayCore", package: rootIdentity)],
            path: "Targets/FuzzMPEGTS"
        ),
        .executableTarget(
            name: "FuzzSTUN",
            dependencies: ["CFuzzDriver", .product(name: "WebRTC", package: rootIdentity), .product(name: "NIOCore", package: "swift-nio")],
            path: "Targets/FuzzSTUN"
        ),
        .executableTarget(
            name: "FuzzSDP",
            dependencies: ["CFuzzDriver", .product(name: "WebRTC", package: rootIdentity), .product(name: "NIOCore", package: "swift-nio")],
            path: "Targets/FuzzSDP"
        ),
        .executableTarget(
            name: "FuzzRTCP",
            dependencies: ["CFuzzDriver", .product(name: "WebRTC", package: rootIdentity), .product(name: "NIOCore", package: "swift-nio")],
            path: "Targets/FuzzRTCP"
        ),
    ]
)
