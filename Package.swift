// swift-tools-version: 6.1
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "PlanSync",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "plansync-server", targets: ["plansync-server"]),
        .executable(name: "plansync", targets: ["plansync"]),
        .executable(name: "plansync-bench", targets: ["plansync-bench"]),
        .library(name: "PlanSyncCore", targets: ["PlanSyncCore"]),
    ],
    traits: [
        // The schema of the next version, with a field this one lacks: built apart (`.ci/build-next-schema`) so
        // that the tests run this version's binaries beside a newer schema's (MixedSchemaTests).
        .trait(name: "NextSchema", description: "Build the next version's schema, for compatibility tests.")
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", exact: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", exact: "0.10.0"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-configuration", exact: "1.4.0"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
    ],
    targets: [
        // The pure causal core: records, dots, version vectors, conflict rules, the schema, wire types. No I/O.
        .target(
            name: "PlanSyncCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: upcoming + [.define("PLANSYNC_NEXT_SCHEMA", .when(traits: ["NextSchema"]))]
        ),
        // The bundled plans, as structured data, and the function that turns them into records.
        .target(
            name: "PlanSyncContent",
            dependencies: [
                "PlanSyncCore", "PlanSyncMaterials", "PlanSyncTranslation", "PlanSyncTranslations", "SwiftCSV",
            ],
            resources: [.copy("Plans"), .copy("Materials")],
            swiftSettings: upcoming
        ),
        // The ar/fr/es translations of the bundled plans, as XLIFF 1.2 files shipped with the product.
        .target(
            name: "PlanSyncTranslations",
            path: "Translations",
            exclude: ["README.md"],
            resources: [.copy("ar"), .copy("fr"), .copy("es")],
            swiftSettings: upcoming
        ),
        // Supporting materials: Markdown bodies as ordered segments, their alignment across versions, and
        // their rendering in a language. No I/O.
        .target(
            name: "PlanSyncMaterials",
            dependencies: ["PlanSyncCore"],
            swiftSettings: upcoming
        ),
        // The central team's consolidated report (HTML, CSV or Markdown) and materials as HTML. No I/O.
        .target(
            name: "PlanSyncReports",
            dependencies: ["PlanSyncCore", "PlanSyncMaterials"],
            swiftSettings: upcoming
        ),
        // The translator's workflow: XLIFF 1.2 interchange, coverage, and quality checks. No I/O.
        .target(
            name: "PlanSyncTranslation",
            dependencies: ["PlanSyncCore"],
            swiftSettings: upcoming
        ),
        // A field replica: one SQLite file, its outbox and its pull cursor.
        .target(
            name: "PlanSyncReplica",
            dependencies: [
                "PlanSyncCore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: upcoming
        ),
        // The workflows a person runs on a replica — write and approve reports, decide held edits, delete a plan
        // with what it contains — for the command line and any other front end alike.
        .target(
            name: "PlanSyncWorkflows",
            dependencies: ["PlanSyncCore", "PlanSyncReplica", "PlanSyncReports", "PlanSyncMaterials"],
            swiftSettings: upcoming
        ),
        // The web pages of the central team and of the offices: server-rendered, mounted on the server's router
        // and on `plansync ui`'s, every write through PlanSyncWorkflows on the host's workspace.
        .target(
            name: "PlanSyncPages",
            dependencies: [
                "PlanSyncCore", "PlanSyncWorkflows", "PlanSyncReports", "PlanSyncTranslation",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Templates")],
            swiftSettings: upcoming
        ),
        // The sync session of a replica over HTTP.
        .target(
            name: "PlanSyncClient",
            dependencies: [
                "PlanSyncCore", "PlanSyncReplica",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: upcoming
        ),
        // The sync server: storage, access, routes, and its own desk, where its pages write for a person.
        .target(
            name: "PlanSyncServer",
            dependencies: [
                "PlanSyncCore", "PlanSyncContent", "PlanSyncPages", "PlanSyncWorkflows",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "plansync-server",
            dependencies: [
                "PlanSyncServer", "PlanSyncPages",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "SyncServer",
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "plansync",
            dependencies: [
                "PlanSyncCore", "PlanSyncReplica", "PlanSyncClient", "PlanSyncContent", "PlanSyncTranslation",
                "PlanSyncReports", "PlanSyncMaterials", "PlanSyncWorkflows", "PlanSyncPages",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Client",
            swiftSettings: upcoming
        ),
        // The benchmark suite behind `plansync-bench`: a real server on loopback, real replicas, a baseline beside each figure.
        .target(
            name: "PlanSyncBenchmarks",
            dependencies: [
                "PlanSyncCore", "PlanSyncReplica", "PlanSyncClient", "PlanSyncServer", "PlanSyncContent",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "plansync-bench",
            dependencies: [
                "PlanSyncBenchmarks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: upcoming
        ),
        .target(
            name: "PlanSyncTestSupport",
            dependencies: ["PlanSyncCore"],
            path: "Tests/PlanSyncTestSupport",
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "PlanSyncCoreTests",
            dependencies: ["PlanSyncCore", "PlanSyncTestSupport"],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "PlanSyncTranslationTests",
            dependencies: ["PlanSyncCore", "PlanSyncTranslation", "PlanSyncTestSupport"],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "PlanSyncMaterialsTests",
            dependencies: ["PlanSyncCore", "PlanSyncMaterials", "PlanSyncTestSupport"],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "PlanSyncReportsTests",
            dependencies: [
                "PlanSyncCore", "PlanSyncReports", "PlanSyncMaterials", "PlanSyncContent", "PlanSyncTestSupport",
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "PlanSyncContentTests",
            dependencies: ["PlanSyncCore", "PlanSyncContent", "PlanSyncTranslation", "PlanSyncTestSupport"],
            swiftSettings: upcoming
        ),
        // The pages' pure parts (sessions, forms, links), with no network.
        .testTarget(
            name: "PlanSyncPagesTests",
            dependencies: ["PlanSyncPages", "PlanSyncCore"],
            swiftSettings: upcoming
        ),
        // The client's pure parts (request sizing, deadlines), with no network.
        .testTarget(
            name: "PlanSyncClientTests",
            dependencies: ["PlanSyncClient"],
            swiftSettings: upcoming
        ),
        // Real binaries, a real server on loopback, real SQLite files.
        .testTarget(
            name: "PlanSyncEndToEndTests",
            dependencies: [
                "PlanSyncCore", "PlanSyncReplica", "PlanSyncClient", "PlanSyncTestSupport", "plansync",
                "plansync-server",
                "plansync-bench", "PlanSyncReports", "PlanSyncTranslation", "PlanSyncServer", "PlanSyncWorkflows",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
    ]
)
