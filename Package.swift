// swift-tools-version: 6.1
import PackageDescription
import Foundation

// The ordo-one benchmark package doubles the clean build time, so it is only
// resolved when MEMSCAN_BENCHMARKS=1 (set by `make bench`).
let withBenchmarks = ProcessInfo.processInfo.environment["MEMSCAN_BENCHMARKS"] == "1"

var dependencies: [Package.Dependency] = [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
]
var targets: [Target] = [
    .target(
        name: "CMemscanShims",
        path: "CShims",
        linkerSettings: [.linkedLibrary("zstd"), .linkedLibrary("z")]
    ),
    .target(
        name: "MemscanCore",
        dependencies: ["CMemscanShims"]
    ),
    .executableTarget(
        name: "memscan",
        dependencies: [
            "MemscanCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]
    ),
    .testTarget(
        name: "MemscanCoreTests",
        dependencies: ["MemscanCore", "CMemscanShims"]
    ),
    .testTarget(
        name: "MemscanCLITests",
        dependencies: ["MemscanCore"]
    ),
]

if withBenchmarks {
    dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]))
    targets.append(
        .executableTarget(
            name: "MemscanBenchmarks",
            dependencies: [
                "MemscanCore",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/MemscanBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ))
}

let package = Package(
    name: "memscan",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "MemscanCore", targets: ["MemscanCore"]),
        .executable(name: "memscan", targets: ["memscan"]),
    ],
    dependencies: dependencies,
    targets: targets,
    swiftLanguageModes: [.v6]
)
