#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One SplitMix64 step: used to seed and to derive independent streams.
@inline(__always)
func splitMix64(_ state: inout UInt64) -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// xoshiro256** seeded through SplitMix64 from (seed, stream, index): every patient and every
/// generation draws from its own stream, so output never depends on thread scheduling, and a
/// patient's record can be regenerated anywhere from its index alone.
struct SynthRNG {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    init(seed: UInt64, stream: UInt64, index: UInt64) {
        var state = seed
        var mixed = splitMix64(&state)
        state = mixed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        mixed = splitMix64(&state)
        state = mixed ^ (index &* 0xA24B_AED4_963E_E407)
        s0 = splitMix64(&state)
        s1 = splitMix64(&state)
        s2 = splitMix64(&state)
        s3 = splitMix64(&state)
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in 0 ..< n (multiply-high; the bias is below 2^-40 for the sizes used here).
    @inline(__always)
    mutating func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: UInt64(n).multipliedFullWidth(by: next()).high)
    }

    /// Uniform in lo ... hi.
    @inline(__always)
    mutating func int(_ lo: Int, _ hi: Int) -> Int { lo + below(hi - lo + 1) }

    /// Uniform in [0, 1).
    @inline(__always)
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    @inline(__always)
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// lo plus an exponential excess of the given mean, capped at hi: mostly short, sometimes
    /// long, the shape of record lengths and reproduced spans.
    mutating func skewed(_ lo: Int, _ hi: Int, mean: Double) -> Int {
        let excess = -log(1 - unit()) * mean
        return excess >= Double(hi - lo) ? hi : lo + Int(excess)
    }

    /// Standard normal (Box-Muller, one value per call).
    mutating func gaussian() -> Double {
        let u = 1 - unit()
        let v = unit()
        return sqrt(-2 * log(u)) * cos(2 * Double.pi * v)
    }

    @inline(__always)
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Walker's alias method: O(1) draws from a fixed discrete distribution (Zipf code
/// frequencies, weighted choices) with one 64-bit random number per draw.
struct AliasTable: Sendable {
    private var threshold: [UInt32] = []
    private var alias: [Int32] = []

    init(weights: [Double]) {
        let n = weights.count
        precondition(n > 0)
        let total = weights.reduce(0, +)
        var scaled = weights.map { $0 * Double(n) / total }
        var small: [Int] = [], large: [Int] = []
        for i in 0 ..< n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        var probability = [Double](repeating: 1, count: n)
        var aliases = Array(0 ..< n)
        while let s = small.popLast() {
            guard let l = large.last else { break }
            probability[s] = scaled[s]
            aliases[s] = l
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 {
                large.removeLast()
                small.append(l)
            }
        }
        threshold = probability.map { p in p >= 1 ? UInt32.max : UInt32(p * 4_294_967_296.0) }
        alias = aliases.map { Int32($0) }
    }

    /// Weights 1 / rank^s: the long tail of real code frequencies.
    init(zipf n: Int, exponent s: Double) {
        self.init(weights: (0 ..< n).map { 1 / pow(Double($0 + 1), s) })
    }

    var count: Int { threshold.count }

    @inline(__always)
    func draw(_ rng: inout SynthRNG) -> Int {
        let x = rng.next()
        let i = Int(truncatingIfNeeded: ((x >> 32) &* UInt64(threshold.count)) >> 32)
        return UInt32(truncatingIfNeeded: x) < threshold[i] ? i : Int(alias[i])
    }
}
