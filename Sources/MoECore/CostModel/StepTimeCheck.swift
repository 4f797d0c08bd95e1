/// The held-out check of the cost model against whole decode steps timed on a real GPU (docs/calibration.md):
/// each step the GPU probe ran (`tools/gpu-probe/step.py`: every layer, the fused MoE kernel, the LM head, one
/// CUDA graph) against the cost model's latency of the same step, with the GPU's datasheet-scaled H100 fit
/// ("before") and with the probe's calibration ("after").
///
/// The probe's step has no counterpart of the per-step fixed cost (the engine's sampler and bookkeeping,
/// ``Calibration/stepOverheadGraph``), so predictions leave it out: predicted = latency − step overhead.
package enum StepTimeCheck {
    /// One measured decode step: `batch` sequences of `context` tokens each (the new one included), on `tp` GPUs.
    package struct Measured: Sendable, Equatable {
        package var model: String
        /// Tensor-parallel ranks (1 without tensor parallelism).
        package var tp: Int
        package var batch: Int
        package var context: Int
        /// Mean distinct experts per MoE layer the step's routing touched.
        package var touchedPerLayer: Double
        package var measuredMs: Double
    }

    /// One row of the comparison.
    package struct Row: Sendable, Equatable {
        package var step: Measured
        package var beforeMs: Double
        package var afterMs: Double
        /// Signed relative errors in percent.
        package var beforeError: Double { (beforeMs - step.measuredMs) / step.measuredMs * 100 }
        package var afterError: Double { (afterMs - step.measuredMs) / step.measuredMs * 100 }
    }

    /// Reads a step-check file (`{"_gpu": KEY, "steps": [{"model", "tp", "batch", "context", "touched_per_layer",
    /// "measured_ms"}]}`) as fit.py writes it; `tp` may be absent (1).
    /// - Throws: ``CalibrationError`` naming the first malformed entry.
    package static func parse(_ json: JSONValue) throws(CalibrationError) -> (gpu: String, steps: [Measured]) {
        guard let gpu = json["_gpu"]?.stringValue, case .array(let items)? = json["steps"] else {
            throw CalibrationError("a step-check file needs \"_gpu\" and a \"steps\" array")
        }
        var steps: [Measured] = []
        for (i, item) in items.enumerated() {
            guard let model = item["model"]?.stringValue, let batch = item["batch"]?.intValue,
                let context = item["context"]?.intValue, let touched = item["touched_per_layer"]?.doubleValue,
                let ms = item["measured_ms"]?.doubleValue, batch > 0, context > 0, ms > 0
            else { throw CalibrationError("step-check entry \(i) is malformed") }
            let tp = item["tp"]?.intValue ?? 1
            guard tp >= 1 else { throw CalibrationError("step-check entry \(i): tp must be ≥ 1") }
            steps.append(
                Measured(
                    model: model, tp: tp, batch: batch, context: context, touchedPerLayer: touched, measuredMs: ms))
        }
        return (gpu, steps)
    }

    /// The cost model's time of `step` on `step.tp` GPUs of type `gpu` (bf16 weights and KV cache, CUDA graphs),
    /// without the per-step fixed cost, in ms; nil when the model is not in the catalog.
    package static func predictedMs(_ step: Measured, gpu: GPUSpec, calibration: Calibration) -> Double? {
        guard let spec = ModelCatalog.spec(for: step.model) else { return nil }
        let footprint = ModelFootprint(
            model: spec, tensorParallelSize: step.tp, weightFormat: .bfloat16, kvFormat: .bfloat16)
        let model = StepCostModel(footprint: footprint, gpu: gpu, calibration: calibration)
        let shape = StepShape.decode(
            batch: step.batch, context: step.context,
            touchedExperts: step.touchedPerLayer * Double(footprint.moeLayers), cudaGraph: true)
        return (model.cost(shape).latency - calibration.stepOverheadGraph) * 1e3
    }

    /// Every step of the catalog's models, before and after.
    package static func compare(_ steps: [Measured], gpu: GPUSpec, before: Calibration, after: Calibration) -> [Row] {
        steps.compactMap { s in
            guard let b = predictedMs(s, gpu: gpu, calibration: before),
                let a = predictedMs(s, gpu: gpu, calibration: after)
            else { return nil }
            return Row(step: s, beforeMs: b, afterMs: a)
        }
    }

    /// Median and worst absolute error (percent) of `errors`.
    package static func summary(_ errors: [Double]) -> (median: Double, worst: Double) {
        let a = errors.map(abs).sorted()
        guard !a.isEmpty else { return (0, 0) }
        let mid = a.count / 2
        return (a.count % 2 == 1 ? a[mid] : (a[mid - 1] + a[mid]) / 2, a.last!)
    }
}
