// swift-tools-version: 6.1
// Release-mode benchmarks, kept in a nested package so they stay out of `swift test` and of
// the engine's build. Run: swift run -c release --package-path Benchmarks baton-bench --help
import PackageDescription

let package = Package(
    name: "BatonBenchmarks",
    dependencies: [.package(name: "Baton", path: "..")],
    targets: [
        .executableTarget(
            name: "baton-bench",
            dependencies: [
                .product(name: "Columns", package: "Baton"),
                .product(name: "Codecs", package: "Baton"),
                .product(name: "Storage", package: "Baton"),
                .product(name: "Datagen", package: "Baton"),
            ],
            swiftSettings: [.unsafeFlags(["-target-cpu", "haswell"])]),
    ]
)
