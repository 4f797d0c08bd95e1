// swift-tools-version:6.0
import PackageDescription

// Targets by layer (docs/architecture.md): the compiler holds the boundaries.
//   MoECore       pure Swift: JSON, model and hardware catalogs, cost model, metric math, datasets
//   SimEngine     pure: the simulated vLLM engine and the one driver that moves it through simulated time
//   FakeSLLM      the server's logic: deployments, router/autoscaler, recording, text, API bodies (no C)
//   FakeSLLMHTTP  the only target that imports libmicrohttpd: the connection lifecycle
//   Sweep         grid runs of the simulator (`fake-sllm sweep`), over SimEngine and FakeSLLM's deploy configs
//   EvaluatorClient  the evaluator's HTTP client: the only evaluator target that imports libcurl
//   Evaluator     datasets, run, report, the pre-flight check (over EvaluatorClient's HTTPTransport)
// Platforms: Linux only (Debian/Ubuntu, Swift 6). The code imports Glibc, polls with Linux's `POLLRDHUP` and runs
// libmicrohttpd on epoll; no Apple platform is declared because none is built or tested.
// Release builds skip Swift's run-time exclusivity checks; debug, test and sanitizer builds keep them, so a
// violation still fails the tests. On the server's request path the checks were about 7 % of the instructions
// (docs/http.md, "Cost per request"; docs/swift-interop.md (f)).
let releaseSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

let package = Package(
    name: "fake-sllm",
    products: [
        .executable(name: "fake-sllm", targets: ["fake-sllm"]),
        .executable(name: "moecap-eval", targets: ["moecap-eval"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CMicroHTTPD", pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "MoECore", swiftSettings: releaseSettings),
        .target(name: "SimEngine", dependencies: ["MoECore"], swiftSettings: releaseSettings),
        .target(
            name: "FakeSLLM",
            dependencies: ["MoECore", "SimEngine", .product(name: "Logging", package: "swift-log")],
            swiftSettings: releaseSettings),
        .target(
            name: "FakeSLLMHTTP", dependencies: ["MoECore", "FakeSLLM", "CMicroHTTPD"], swiftSettings: releaseSettings),
        // Grid runs of the simulated engine; points are built from deploy configs as `serve` builds them.
        .target(name: "Sweep", dependencies: ["MoECore", "SimEngine", "FakeSLLM"], swiftSettings: releaseSettings),
        // The only evaluator target that imports CCurl: the HTTP client on libcurl's multi interface.
        .target(name: "EvaluatorClient", dependencies: ["MoECore", "CCurl"], swiftSettings: releaseSettings),
        .target(name: "Evaluator", dependencies: ["MoECore", "EvaluatorClient"], swiftSettings: releaseSettings),
        .executableTarget(
            name: "fake-sllm",
            dependencies: [
                "MoECore", "SimEngine", "FakeSLLM", "FakeSLLMHTTP", "Sweep",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ], swiftSettings: releaseSettings),
        .executableTarget(
            name: "moecap-eval",
            dependencies: [
                "MoECore", "Evaluator", "EvaluatorClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ], swiftSettings: releaseSettings),
        .testTarget(name: "MoECoreTests", dependencies: ["MoECore"]),
        .testTarget(name: "SimEngineTests", dependencies: ["SimEngine", "MoECore"]),
        .testTarget(
            name: "FakeSLLMTests",
            dependencies: ["FakeSLLM", "SimEngine", "MoECore", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "SweepTests", dependencies: ["Sweep", "FakeSLLM", "SimEngine", "MoECore"]),
        .testTarget(name: "FakeSLLMHTTPTests", dependencies: ["FakeSLLMHTTP", "FakeSLLM", "SimEngine", "MoECore"]),
        .testTarget(name: "EvaluatorTests", dependencies: ["Evaluator", "EvaluatorClient", "MoECore"]),
        .testTarget(name: "EndToEndTests", dependencies: ["MoECore"]),
        // Third-party clients (openai SDK, AIPerf, prometheus_client, Chromium) against the built binaries.
        .testTarget(name: "EcosystemTests", dependencies: ["MoECore"], exclude: ["Python"]),
    ],
    swiftLanguageModes: [.v6]
)
