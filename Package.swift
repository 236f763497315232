// swift-tools-version: 6.1
import PackageDescription

/// Foundation's static libraries, in one group so that the linker resolves their references to
/// each other whatever the order.
let staticFoundation = [
    "--start-group", "-lFoundation", "-lCoreFoundation", "-lFoundationInternationalization",
    "-l_FoundationICU", "-lFoundationEssentials", "-l_FoundationCShims", "-l_FoundationCollections",
    "--end-group"
].flatMap { ["-Xlinker", $0] }

let package = Package(
    name: "Tether",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "ADB", targets: ["ADB"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "Inference", targets: ["Inference"]),
        .library(name: "VirtualPhone", targets: ["VirtualPhone"]),
        .library(name: "AndroidPhone", targets: ["AndroidPhone"]),
        .library(name: "Trajectory", targets: ["Trajectory"]),
        .library(name: "Agent", targets: ["Agent"]),
        .library(name: "Daemon", targets: ["Daemon"]),
        .executable(name: "tether", targets: ["tether"]),
        .executable(name: "tetherd", targets: ["tetherd"]),
        .executable(name: "tether-mcp", targets: ["tether-mcp"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1")
    ],
    targets: [
        // The small things every layer may use, one of each: a JSON value, a seeded generator,
        // a child-process runner, a free loopback port.
        .target(name: "Basics"),
        .testTarget(name: "BasicsTests", dependencies: ["Basics"]),
        .systemLibrary(
            name: "CLibUSB",
            pkgConfig: "libusb-1.0",
            providers: [.apt(["libusb-1.0-0-dev"])]
        ),
        .target(
            name: "ADB",
            dependencies: [
                "CLibUSB",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "BigInt", package: "BigInt")
            ]
        ),
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        .systemLibrary(
            name: "CJPEG",
            providers: [.apt(["libjpeg-dev"])]
        ),
        .target(
            name: "CImagingSupport",
            dependencies: ["CPNG", "CJPEG"],
            // A module map's `link` reaches the linker only through Swift
            // imports; this C target calls the libraries directly.
            linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg")]
        ),
        .target(
            name: "Imaging",
            dependencies: ["CImagingSupport"]
        ),
        // zlib: inflating and deflating ZIP entries (APKs).
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CFreeType",
            pkgConfig: "freetype2",
            providers: [.apt(["libfreetype-dev"])]
        ),
        .target(
            name: "VirtualPhone",
            dependencies: [
                "Basics",
                "ADB",
                "Imaging",
                "CFreeType",
                "CZlib",
                .product(name: "Logging", package: "swift-log")
            ]
        ),
        .target(
            name: "AndroidPhone",
            dependencies: [
                "Basics",
                "ADB",
                "Imaging",
                "CZlib",
                .product(name: "Logging", package: "swift-log")
            ]
        ),
        .executableTarget(
            name: "tether",
            dependencies: [
                "Basics",
                "ADB",
                "Agent",
                "Trajectory",
                "AndroidPhone",
                "Imaging",
                "Inference",
                "VirtualPhone",
                "Flows",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log")
            ],
            // The Swift runtime and Foundation linked in: a short command (`tether shell echo`)
            // no longer pays for loading and relocating a dozen shared libraries at start-up.
            linkerSettings: [.unsafeFlags(["-static-stdlib"] + staticFoundation)]
        ),
        .systemLibrary(
            name: "COpenBLAS",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "CKernels",
            cSettings: [.unsafeFlags(["-O3"])]
        ),
        .target(
            name: "Inference",
            dependencies: [
                "Basics",
                "COpenBLAS",
                "CKernels",
                "Imaging",
                .product(name: "Logging", package: "swift-log")
            ]
        ),
        .target(
            name: "Trajectory",
            dependencies: ["Basics", "Imaging"]
        ),
        .testTarget(
            name: "TrajectoryTests",
            dependencies: ["Trajectory", "Imaging", "TetherTestSupport"]
        ),
        .target(
            name: "Agent",
            dependencies: [
                "Basics",
                "Trajectory",
                "AndroidPhone",
                "Imaging",
                "Inference",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio")
            ]
        ),
        // Maestro-style flows and natural-language goals as tests: parsing, selectors, the runner,
        // JUnit and HTML reports.
        .target(
            name: "Flows",
            dependencies: [
                "Basics",
                "Agent",
                "AndroidPhone",
                "Trajectory",
                "Imaging",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log")
            ]
        ),
        .testTarget(
            name: "FlowsTests",
            dependencies: [
                "Flows", "Agent", "AndroidPhone", "Trajectory", "Imaging", "Basics", "PhoneRig", "TetherTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio")
            ],
            exclude: ["Schema"]
        ),
        // The MCP server over phones: tools, their schemas, the server setup (stdio in `tether mcp`,
        // HTTP in the daemon).
        .target(
            name: "PhoneMCP",
            dependencies: [
                "Basics",
                "Agent",
                "Flows",
                "AndroidPhone",
                "Trajectory",
                "Imaging",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log")
            ],
            exclude: ["StdioServer"]
        ),
        // `tether mcp` runs this program: the server on stdio. Apart from `tether`, which would
        // otherwise link the SDK's networking (Foundation's URLSession and libcurl) into every start.
        .executableTarget(
            name: "tether-mcp",
            dependencies: [
                "PhoneMCP",
                "ADB",
                "Agent",
                "AndroidPhone",
                "VirtualPhone",
                "Basics",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log")
            ],
            path: "Sources/PhoneMCP/StdioServer"
        ),
        .testTarget(
            name: "PhoneMCPTests",
            dependencies: ["PhoneMCP", "PhoneRig", "TetherTestSupport", "AndroidPhone", "Agent", "Imaging", "Basics", .product(name: "MCP", package: "swift-sdk")]
        ),
        .target(
            name: "Daemon",
            dependencies: [
                "Basics",
                "Agent",
                "Flows",
                "VirtualPhone",
                "PhoneMCP",
                .product(name: "MCP", package: "swift-sdk"),
                "AndroidPhone",
                "ADB",
                "Trajectory",
                "Imaging",
                "Inference",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus")
            ]
        ),
        .executableTarget(
            name: "tetherd",
            dependencies: [
                "Basics",
                "Daemon",
                "ADB",
                "VirtualPhone",
                "Agent",
                "Inference",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
            ]
        ),
        .testTarget(
            name: "DaemonTests",
            dependencies: [
                "Daemon",
                "Agent",
                "Trajectory",
                "TetherTestSupport",
                "PhoneRig",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio")
            ]
        ),
        .testTarget(
            name: "AgentTests",
            dependencies: [
                "Agent",
                "PhoneRig",
                "Trajectory",
                "ADB",
                "AndroidPhone",
                "VirtualPhone",
                "Imaging",
                "Inference",
                "TetherTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio")
            ],
            // The embedded model's parity fixture, read from the source tree (Scripts/train-embedded-model writes it).
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "InferenceTests",
            dependencies: ["Inference", "Basics"],
            resources: [.copy("Fixtures")]
        ),
        // Helpers shared by the test targets (scratch directories, free ports, the real adb).
        .target(
            name: "TetherTestSupport",
            dependencies: ["Basics"],
            path: "Tests/TetherTestSupport"
        ),
        // The one virtual-phone rig the test targets share: a phone served on 127.0.0.1, reached as a `Phone`.
        .target(
            name: "PhoneRig",
            dependencies: ["ADB", "AndroidPhone", "VirtualPhone"],
            path: "Tests/PhoneRig"
        ),
        .testTarget(
            name: "ADBTests",
            dependencies: ["ADB", "TetherTestSupport"]
        ),
        .testTarget(
            name: "VirtualPhoneTests",
            dependencies: ["VirtualPhone", "ADB", "Imaging", "TetherTestSupport", "PhoneRig"]
        ),
        .testTarget(
            name: "ImagingTests",
            dependencies: ["Imaging", "TetherTestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "AndroidPhoneTests",
            dependencies: ["AndroidPhone", "ADB", "Imaging", "VirtualPhone", "TetherTestSupport", "PhoneRig"],
            resources: [.copy("Fixtures")]
        )
    ]
)
