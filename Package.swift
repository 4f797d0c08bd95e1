// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "fake-sllm",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fake-sllm", targets: ["fake-sllm"]),
        .executable(name: "moecap-eval", targets: ["moecap-eval"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        .systemLibrary(
            name: "CMicroHTTPD", pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"]), .brew(["libmicrohttpd"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]),
        .target(name: "MoECore"),
        .target(name: "FakeSLLM", dependencies: ["MoECore", "CMicroHTTPD"]),
        .target(name: "Evaluator", dependencies: ["MoECore", "CCurl"]),
        .executableTarget(
            name: "fake-sllm",
            dependencies: ["FakeSLLM", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "moecap-eval",
            dependencies: ["Evaluator", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "MoECoreTests", dependencies: ["MoECore"]),
        .testTarget(name: "FakeSLLMTests", dependencies: ["FakeSLLM", "MoECore"]),
        .testTarget(name: "EvaluatorTests", dependencies: ["Evaluator", "MoECore", "FakeSLLM"]),
        .testTarget(name: "EndToEndTests", dependencies: ["MoECore"]),
    ],
    swiftLanguageModes: [.v6]
)
