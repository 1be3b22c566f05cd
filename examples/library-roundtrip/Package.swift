// swift-tools-version: 6.1
// Using Baton as a library: write a table to a .baton file, read part of it back with a
// pushed-down predicate. Run: swift run --package-path examples/library-roundtrip
import PackageDescription

let package = Package(
    name: "LibraryRoundTrip",
    dependencies: [.package(name: "Baton", path: "../..")],
    targets: [
        .executableTarget(
            name: "library-roundtrip",
            dependencies: [
                .product(name: "Columns", package: "Baton"),
                .product(name: "Storage", package: "Baton"),
            ]),
    ]
)
