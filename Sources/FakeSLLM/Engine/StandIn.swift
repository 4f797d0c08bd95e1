// TEMPORARY stand-in with the agreed engine API shape, replaced by the real engine on merge.
import MoECore

public enum RoutingConfig: Sendable, Equatable {
    case uniform
    case zipf(Double)
    case counts([[Double]])
}

public struct EngineConfig: Sendable {
    public var model: ModelSpec
    public var gpu: GPUSpec
    public var tensorParallelSize: Int
    public var maxNumSeqs = 256
    public var maxNumBatchedTokens = 8192
    public var maxModelLen: Int?
    public var gpuMemoryUtilization = 0.9
    public var blockSize = 16
    public var enablePrefixCaching = true
    public var enforceEager = false
    public var dtype = "bfloat16"
    public var kvCacheDtype = "auto"
    public var routing = RoutingConfig.uniform
    public var seed: UInt64 = 0
    public init(model: ModelSpec, gpu: GPUSpec, tensorParallelSize: Int) {
        self.model = model
        self.gpu = gpu
        self.tensorParallelSize = tensorParallelSize
    }
}

public struct EngineRequest: Sendable {
    public var id: UInt64
    public var promptTokens: Int
    public var maxTokens: Int
    public var outputTokens: Int
    public var minTokens = 0
    public var ignoreEOS = false
    public var prefixBlockHashes: [UInt64] = []
    public var arrival: Double = 0
    public init(id: UInt64, promptTokens: Int, maxTokens: Int, outputTokens: Int) {
        self.id = id
        self.promptTokens = promptTokens
        self.maxTokens = maxTokens
        self.outputTokens = outputTokens
    }
}

public enum ForwardMode: String, Sendable { case prefill, decode }
public enum FinishReason: String, Sendable { case stop, length }
public struct EngineError: Error, CustomStringConvertible, Sendable { public let description: String }

public struct RequestEvent: Sendable {
    public var id: UInt64
    public var newTokens: Int
    public var finished: FinishReason?
}

public struct StepGroundTruth: Sendable {
    public var flops: Double = 0
    public var bytes: Double = 0
}

public struct StepOutcome: Sendable {
    public var duration: Double
    public var batchSize: Int
    public var scheduledTokens: Int
    public var forwardMode: ForwardMode
    public var expertActivation: Double
    public var numRequests: Int
    public var events: [RequestEvent]
    public var truth: StepGroundTruth
}

public final class EngineCore {
    let config: EngineConfig
    private var waiting: [EngineRequest] = []
    private var running: [(EngineRequest, Int)] = []
    public init(config: EngineConfig) throws { self.config = config }
    public var maxModelLen: Int { config.maxModelLen ?? config.model.maxPositionEmbeddings }
    public func add(_ r: EngineRequest) throws(EngineError) {
        if r.promptTokens > maxModelLen {
            throw EngineError(description: "The decoder prompt (length \(r.promptTokens)) is longer than the maximum model length of \(maxModelLen). Make sure that `max_model_len` is no smaller than the number of text tokens.")
        }
        waiting.append(r)
    }
    public func abort(id: UInt64) {
        waiting.removeAll { $0.id == id }
        running.removeAll { $0.0.id == id }
    }
    public var hasUnfinishedRequests: Bool { !waiting.isEmpty || !running.isEmpty }
    public func step(now: Double) -> StepOutcome? {
        guard hasUnfinishedRequests else { return nil }
        var events: [RequestEvent] = []
        var tokens = 0
        var mode = ForwardMode.decode
        if !waiting.isEmpty {
            mode = .prefill
            for r in waiting {
                tokens += r.promptTokens
                running.append((r, 0))
            }
            waiting.removeAll()
        }
        var next: [(EngineRequest, Int)] = []
        for (r, done) in running {
            if mode == .decode { tokens += 1 }
            let d = done + 1
            let fin: FinishReason? = d >= r.outputTokens ? (d >= r.maxTokens ? .length : .stop) : nil
            events.append(RequestEvent(id: r.id, newTokens: 1, finished: fin))
            if fin == nil { next.append((r, d)) }
        }
        running = next
        return StepOutcome(
            duration: 0.01 + Double(tokens) * 1e-5, batchSize: tokens, scheduledTokens: tokens, forwardMode: mode,
            expertActivation: 64, numRequests: events.count, events: events, truth: StepGroundTruth())
    }
}
extension StepGroundTruth {
    public var json: JSONValue { ["flops": .double(flops), "bytes": .double(bytes)] }
}
