/// Every GPU key of MoE-CAP's hardware tables (docs/moecap-metrics.md §8, exact values), plus memory sizes and
/// interconnect bandwidths from public datasheets, and the short aliases users type (`H100`, `A100`, …).
package enum HardwareCatalog {
    private static let T = 1e12
    private static let G = 1e9

    private static func spec(
        _ key: String, bw: Double, _ f32: Double, _ f16: Double, _ bf16: Double, _ i8: Double, _ fp8: Double?,
        _ fp4: Double?, _ i4: Double, sparse: Bool, memGB: Double, link: Double, _ linkName: String
    ) -> GPUSpec {
        var flops = ["float32": f32 * T, "float16": f16 * T, "bfloat16": bf16 * T, "int8": i8 * T, "int4": i4 * T]
        if let fp8 { flops["fp8"] = fp8 * T }
        if let fp4 { flops["fp4"] = fp4 * T }
        return GPUSpec(
            key: key, memoryBandwidth: bw * G, peakFlops: flops, tableIsSparse: sparse, memoryBytes: memGB * G,
            interconnectBandwidth: link * G, interconnect: linkName)
    }

    /// All GPUs, in MoE-CAP's table order (§8).
    package static let all: [GPUSpec] = [
        spec(
            "NVIDIA-A100-PCIe-80GB", bw: 1935, 312, 624, 624, 1248, 1248, 1248, 2496, sparse: true, memGB: 80,
            link: 32, "PCIe 4.0 x16"),
        // fp4 section has no A100-PCIe-40GB entry in MoE-CAP: peak 0 (§8).
        spec(
            "NVIDIA-A100-PCIe-40GB", bw: 1555, 312, 624, 624, 1248, 1248, nil, 2496, sparse: true, memGB: 40,
            link: 32, "PCIe 4.0 x16"),
        spec(
            "NVIDIA-A100-SXM4-80GB", bw: 2039, 312, 624, 624, 1248, 1248, 1248, 2496, sparse: true, memGB: 80,
            link: 300, "NVLink 3"),
        spec(
            "NVIDIA-A100-SXM4-40GB", bw: 1555, 312, 624, 624, 1248, 1248, 1248, 2496, sparse: true, memGB: 40,
            link: 300, "NVLink 3"),
        spec(
            "NVIDIA-H100-PCIe-80GB", bw: 2039, 756, 1513, 1513, 3026, 3026, 3026, 3026, sparse: true, memGB: 80,
            link: 64, "PCIe 5.0 x16"),
        spec(
            "NVIDIA-H100-HBM3-80GB", bw: 3350, 989, 1979, 1979, 3958, 3958, 3958, 3958, sparse: true, memGB: 80,
            link: 450, "NVLink 4"),
        spec(
            "NVIDIA-H200-141GB", bw: 4800, 989, 1979, 1979, 3958, 3958, 3958, 3958, sparse: true, memGB: 141,
            link: 450, "NVLink 4"),
        spec(
            "NVIDIA-H200-140GB", bw: 4800, 989, 1979, 1979, 3958, 3958, 3958, 3958, sparse: true, memGB: 141,
            link: 450, "NVLink 4"),
        spec(
            "NVIDIA-B200-183GB", bw: 8000, 80, 2250, 2250, 4500, 4500, 9000, 9000, sparse: false, memGB: 183,
            link: 900, "NVLink 5"),
        spec(
            "NVIDIA-GH200-96GB", bw: 4096, 989, 1979, 1979, 3958, 3958, 3958, 3958, sparse: true, memGB: 96,
            link: 450, "NVLink 4"),
        spec(
            "NVIDIA-RTX-A5000-24GB", bw: 768, 222.2, 222.2, 222.2, 222.2, 0, 0, 222.2, sparse: false, memGB: 24,
            link: 32, "PCIe 4.0 x16"),
        spec(
            "NVIDIA-RTX-A6000-48GB", bw: 768, 309.7, 309.7, 309.7, 309.7, 0, 0, 309.7, sparse: false, memGB: 48,
            link: 32, "PCIe 4.0 x16"),
        spec(
            "NVIDIA-RTX-PRO-6000-Blackwell-Server-Edition-96GB", bw: 1597, 500, 1000, 1000, 2000, 2000, 4000, 4000,
            sparse: false, memGB: 96, link: 64, "PCIe 5.0 x16"),
        spec(
            "NVIDIA-GB10-UnknownGB", bw: 273, 31, 250, 250, 500, 500, 1000, 1000, sparse: false, memGB: 128,
            link: 25, "ConnectX-7"),
        spec(
            "NVIDIA-GB10-128GB", bw: 273, 31, 250, 250, 500, 500, 1000, 1000, sparse: false, memGB: 128,
            link: 25, "ConnectX-7"),
        spec(
            "AMD-Instinct-MI355X-288GB", bw: 8000, 78.6, 2500, 2500, 5050, 5050, 10100, 10100, sparse: false,
            memGB: 288, link: 537.6, "Infinity Fabric"),
        spec(
            "AMD-Instinct-MI300X-192GB", bw: 5300, 81.7, 1307, 1307, 2614, 2614, 0, 0, sparse: false, memGB: 192,
            link: 448, "Infinity Fabric"),
        spec(
            "AMD-Instinct-MI325X-256GB", bw: 6000, 81.7, 1307, 1307, 2614, 2614, 0, 0, sparse: false, memGB: 256,
            link: 448, "Infinity Fabric"),
        spec(
            "AMD-Instinct-MI250X-128GB", bw: 3276, 47.9, 383, 383, 383, 0, 0, 383, sparse: false, memGB: 128,
            link: 400, "Infinity Fabric"),
    ]

    /// Short names users type, mapped to table keys. Matching is case-insensitive.
    package static let aliases: [String: String] = [
        "a100": "NVIDIA-A100-SXM4-80GB", "a100-80gb": "NVIDIA-A100-SXM4-80GB", "a100-sxm": "NVIDIA-A100-SXM4-80GB",
        "a100-40gb": "NVIDIA-A100-SXM4-40GB", "a100-pcie": "NVIDIA-A100-PCIe-80GB",
        "a100-pcie-40gb": "NVIDIA-A100-PCIe-40GB",
        "h100": "NVIDIA-H100-HBM3-80GB", "h100-sxm": "NVIDIA-H100-HBM3-80GB", "h100-pcie": "NVIDIA-H100-PCIe-80GB",
        // A real H200 reports NVIDIA-H200-140GB (docs/moecap-metrics.md §8, verified on hardware).
        "h200": "NVIDIA-H200-140GB", "b200": "NVIDIA-B200-183GB", "gh200": "NVIDIA-GH200-96GB",
        "a5000": "NVIDIA-RTX-A5000-24GB", "rtx-a5000": "NVIDIA-RTX-A5000-24GB",
        "a6000": "NVIDIA-RTX-A6000-48GB", "rtx-a6000": "NVIDIA-RTX-A6000-48GB",
        "rtx-pro-6000": "NVIDIA-RTX-PRO-6000-Blackwell-Server-Edition-96GB",
        "gb10": "NVIDIA-GB10-128GB",
        "mi355x": "AMD-Instinct-MI355X-288GB", "mi300x": "AMD-Instinct-MI300X-192GB",
        "mi325x": "AMD-Instinct-MI325X-256GB", "mi250x": "AMD-Instinct-MI250X-128GB",
    ]

    /// Looks up a table key (exact) or an alias (case-insensitive); nil when unknown.
    package static func gpu(named name: String) -> GPUSpec? {
        if let g = all.first(where: { $0.key == name }) { return g }
        let lower = name.lowercased()
        if let key = aliases[lower] { return all.first { $0.key == key } }
        return all.first { $0.key.lowercased() == lower }
    }

    /// The names accepted by ``gpu(named:)``, for help and error texts.
    package static var acceptedNames: String {
        (aliases.keys.sorted().map { $0.uppercased() } + all.map(\.key)).joined(separator: ", ")
    }

    /// Short display type of MoE-CAP's `gpu_type` field: regex `NVIDIA[\s-]+(RTX[\s-]+)?([A-Z0-9]+)` on the raw
    /// name (docs/sllm-api.md §5.1), e.g. `NVIDIA-H100-HBM3-80GB` → `H100`; the raw name when it does not match.
    package static func shortName(_ raw: String) -> String {
        var rest = Substring(raw)
        guard let r = rest.firstRange(of: "NVIDIA") else { return raw }
        rest = rest[r.upperBound...]
        let sepCount = rest.prefix(while: { $0 == " " || $0 == "-" }).count
        guard sepCount > 0 else { return raw }
        rest = rest.dropFirst(sepCount)
        if rest.hasPrefix("RTX") {
            let after = rest.dropFirst(3)
            let n = after.prefix(while: { $0 == " " || $0 == "-" }).count
            if n > 0 { rest = after.dropFirst(n) }
        }
        let word = rest.prefix(while: { ($0.isUppercase || $0.isNumber) && $0.isASCII })
        return word.isEmpty ? raw : String(word)
    }
}
