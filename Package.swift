// swift-tools-version: 6.1
// The engine is one root package, so that the release flags below (unsafeFlags are only
// honoured in a root package) reach every layer. Layers point toward `Columns`:
//
//   baton (CLI) → Query (binder, planner, scans) → SQL (parser)
//       │            ├→ Operators (aggregate, join, sort, window…) → Kernels → Columns
//       │            │      └→ Spill (memory budget, spill files) → Codecs
//       │            ├→ Storage (.baton files) → Codecs → CZstd, CLZ4, CXXHash (system libraries)
//       │            ├→ CSV → Codecs, Columns
//       │            └→ Arrow (IPC streams and files) → Codecs, Columns
//       └→ Datagen → Columns
import PackageDescription

/// AVX2 for the kernels (see PERFORMANCE.md: it roughly halves loops over cached data).
/// Every machine this project runs on is x86-64-v3 or newer.
let kernelFlags: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]

let package = Package(
    name: "Baton",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "baton", targets: ["BatonCLI"]),
        .library(name: "Columns", targets: ["Columns"]),
        .library(name: "Codecs", targets: ["Codecs"]),
        .library(name: "Storage", targets: ["Storage"]),
        .library(name: "CSV", targets: ["CSV"]),
        .library(name: "Arrow", targets: ["Arrow"]),
        .library(name: "Datagen", targets: ["Datagen"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // System libraries (Debian: libzstd-dev, liblz4-dev, libxxhash-dev, zlib1g-dev).
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Internal helpers: parallel map over indices, thread count.
        .target(name: "Utilities", dependencies: ["Columns", .product(name: "SystemPackage", package: "swift-system")]),
        // C helpers Swift cannot reach directly (allocator tuning).
        .target(name: "CShims"),

        // The columnar core: types, schema, columns, bitmaps, selection vectors, batches, errors.
        .target(name: "Columns", dependencies: ["CShims"], swiftSettings: kernelFlags),
        // One chunk's bytes: light encodings, block codecs, checksums. No files, no threads.
        .target(name: "Codecs", dependencies: ["Columns", "CZstd", "CLZ4", "CXXHash", "CZlib"], swiftSettings: kernelFlags),
        // The .baton file format: writer, reader, statistics and pruning.
        .target(
            name: "Storage",
            dependencies: ["Columns", "Codecs", "CShims", "Utilities", .product(name: "SystemPackage", package: "swift-system")],
            swiftSettings: kernelFlags),
        // CSV reading (sniffing, parallel parsing, type inference) and CSV / JSON-lines writing.
        .target(
            name: "CSV",
            dependencies: [
                "Columns", "Codecs", "Utilities", "CShims",
                .product(name: "SystemPackage", package: "swift-system"), .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: kernelFlags),
        // Arrow IPC streams and files (Feather v2): a hand-written FlatBuffers reader and
        // builder for the metadata, record batches to columns and back, LZ4_FRAME / ZSTD bodies.
        .target(name: "Arrow", dependencies: ["Columns", "Codecs"], swiftSettings: kernelFlags),
        // SQL text to a syntax tree: lexer, parser, positions for errors. Knows no data.
        .target(name: "SQL", dependencies: ["Columns"]),
        // Vectorized functions over columns: arithmetic, comparison, logic, casts, LIKE, and the
        // scalar function library (string, date, math), each with a scalar twin in the tests.
        .target(name: "Kernels", dependencies: ["Columns", "CShims"], swiftSettings: kernelFlags),
        // Physical operators over batches: filter, project, hash aggregate, sort / top-N, hash
        // join, window, union, limit; and the expressions they evaluate.
        .target(name: "Operators", dependencies: ["Columns", "Kernels", "Utilities", "Spill", "CShims"], swiftSettings: kernelFlags),
        // The run's memory budget and reservations; spill files (batches as LZ4 column chunks)
        // under --temp-dir, capped by --max-temp-size.
        .target(name: "Spill", dependencies: ["Columns", "Codecs"], swiftSettings: kernelFlags),
        // SQL to running operators: binding and type checking, planning (projection and
        // predicate pushdown, join order from WHERE equalities), file scans, the query API.
        .target(
            name: "Query",
            dependencies: ["Columns", "SQL", "Kernels", "Operators", "Spill", "Storage", "CSV", "Arrow", "Utilities"],
            swiftSettings: kernelFlags),
        // Synthetic data sets (db-benchmark group-by).
        .target(name: "Datagen", dependencies: ["Columns"], swiftSettings: kernelFlags),
        // Pipelines of named stages: YAML in, validation, planning, cached and resumable runs.
        .target(
            name: "Pipeline",
            dependencies: ["Columns", "Codecs", "Storage", "CSV", "Arrow", "SQL", "Operators", "Query", .product(name: "Yams", package: "Yams")]),
        .executableTarget(
            name: "BatonCLI",
            dependencies: [
                "Columns", "Storage", "CSV", "Datagen", "Utilities", "Query", "Operators", "Pipeline", "Spill", "Arrow",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]),

        // The seeded random generator the randomized tests share.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ColumnsTests", dependencies: ["Columns", "TestSupport"]),
        .testTarget(name: "CodecsTests", dependencies: ["Codecs", "Columns", "TestSupport"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "Codecs", "Columns", "Datagen"]),
        .testTarget(name: "DatagenTests", dependencies: ["Datagen", "Columns", "CSV"]),
        .testTarget(name: "ArrowTests", dependencies: ["Arrow", "Columns", "Codecs"]),
        .testTarget(name: "CSVTests", dependencies: ["CSV", "Columns", "Codecs", "TestSupport"]),
        .testTarget(name: "SQLTests", dependencies: ["SQL", "Columns"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "Columns", "TestSupport"]),
        .testTarget(name: "OperatorsTests", dependencies: ["Operators", "Columns", "Spill"]),
        .testTarget(name: "SpillTests", dependencies: ["Spill", "Columns"]),
        .testTarget(name: "QueryTests", dependencies: ["Query", "Operators", "Spill", "Columns"], exclude: ["sql"]),
        .testTarget(name: "UtilitiesTests", dependencies: ["Utilities"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Query", "Columns"]),
        .testTarget(name: "CLITests", dependencies: ["Storage", "Columns"]),
    ]
)
