/// Tokens of a synthetic record or generation. A token is a 64-bit code that compares equal
/// exactly when the tokenizer's tokens are equal (codes mode: a vocabulary id; text mode: a
/// lower-case word id or a number with its digit count). `meta` carries per-token rendering
/// details that do not take part in matching (text mode: the separator after the token and its
/// letter case); it is zero in codes mode.
struct TokenSeq {
    var tokens: [UInt64] = []
    var meta: [UInt8] = []

    init() {}

    init(capacity: Int) {
        tokens.reserveCapacity(capacity)
        meta.reserveCapacity(capacity)
    }

    var count: Int { tokens.count }
    var isEmpty: Bool { tokens.isEmpty }

    @inline(__always)
    mutating func append(_ token: UInt64, _ info: UInt8 = 0) {
        tokens.append(token)
        meta.append(info)
    }

    mutating func append(_ other: TokenSeq, _ range: Range<Int>) {
        tokens.append(contentsOf: other.tokens[range])
        meta.append(contentsOf: other.meta[range])
    }

    mutating func append(_ other: TokenSeq) {
        tokens.append(contentsOf: other.tokens)
        meta.append(contentsOf: other.meta)
    }

    mutating func removeAll() {
        tokens.removeAll(keepingCapacity: true)
        meta.removeAll(keepingCapacity: true)
    }

    mutating func truncate(to length: Int) {
        if length < tokens.count {
            tokens.removeSubrange(length...)
            meta.removeSubrange(length...)
        }
    }

    mutating func removeSubrange(_ range: Range<Int>) {
        tokens.removeSubrange(range)
        meta.removeSubrange(range)
    }
}

/// A training or held-out patient. Its record is a pure function of (seed, key).
struct PatientKey: Hashable, Sendable {
    var index: Int
    var heldOut: Bool
}

/// Where a shared template was inserted while generating a record.
struct TemplateHit {
    var template: Int
    var position: Int
}

/// Tokens a planted piece must not touch, so that a planted span is exactly as long as the
/// copy it was planted as (the token before a copied window differs from the one before it in
/// the source record, and likewise after).
struct TokenGuard {
    static let none = TokenGuard()
    static let noToken = UInt64.max

    var first = TokenGuard.noToken
    var second = TokenGuard.noToken
    /// Forbid any token that precedes (follows) a shared template somewhere in the records.
    var templatePredecessors = false
    var templateSuccessors = false

    init() {}

    init(token: UInt64) { first = token }

    @inline(__always)
    func forbids<M: SynthModel>(_ token: UInt64, _ model: M) -> Bool {
        if token == first || token == second { return true }
        if templatePredecessors && model.canNeighborTemplate(token, before: true) { return true }
        if templateSuccessors && model.canNeighborTemplate(token, before: false) { return true }
        return false
    }

    /// Both guards at once (at most two explicit tokens: one from each side of a seam).
    func union(_ other: TokenGuard) -> TokenGuard {
        var result = self
        for token in [other.first, other.second] where token != TokenGuard.noToken && token != result.first {
            if result.first == TokenGuard.noToken { result.first = token } else { result.second = token }
        }
        result.templatePredecessors = templatePredecessors || other.templatePredecessors
        result.templateSuccessors = templateSuccessors || other.templateSuccessors
        return result
    }
}

/// Flags of a token for the truth file.
struct TokenFlags {
    static let sensitive: UInt8 = 1
    static let rare: UInt8 = 2
}

/// What the generator needs from a content model (codes or text). Everything is deterministic
/// given the random stream passed in, or given the patient key.
protocol SynthModel: Sendable {
    /// Shared template panels or paragraphs: inserted verbatim in many records.
    var templates: [TokenSeq] { get }
    var templateNames: [String] { get }
    /// The guards around a planted copy of template `t` in a generation.
    func templateGuards(_ t: Int) -> (before: TokenGuard, after: TokenGuard)
    /// Whether `token` can stand right before (after) a template in some record.
    func canNeighborTemplate(_ token: UInt64, before: Bool) -> Bool

    /// True when the patient has a sensitive or rare condition (cheap: demographics only).
    func isSpecial(_ key: PatientKey) -> Bool
    /// The patient's record, or its first `limit` tokens (always a prefix of the full record).
    func record(_ key: PatientKey, limit: Int, into seq: inout TokenSeq, hits: inout [TemplateHit])
    /// Appends `count` tokens of invented, population-typical events (no shared templates).
    func novel(_ rng: inout SynthRNG, count: Int, fromStart: Bool, into seq: inout TokenSeq)
    /// A plausible replacement for `token`, different from it.
    func substitute(_ rng: inout SynthRNG, _ token: UInt64, _ meta: UInt8) -> (UInt64, UInt8)
    /// A plausible inserted token.
    func insertion(_ rng: inout SynthRNG) -> (UInt64, UInt8)
    /// A token allowed by `guard`, to separate planted pieces.
    func filler(_ rng: inout SynthRNG, avoiding guard: TokenGuard) -> (UInt64, UInt8)
    /// TokenFlags bits of a token.
    func flags(_ token: UInt64) -> UInt8
    /// Moves a copied window onto natural boundaries (text: sentences) within [lo, hi).
    func snap(_ seq: TokenSeq, start: Int, end: Int, lo: Int, hi: Int) -> (Int, Int)
    /// Writes the content field: `"tokens":[...]` or `"text":"..."`.
    func writeContent(_ seq: TokenSeq, _ out: SynthBytes)
    /// Text mode: characters of token i and of the separator after it (as rendered mid-text).
    var hasCharacterOffsets: Bool { get }
    func characters(_ token: UInt64, _ meta: UInt8) -> Int
    /// Text mode: characters of the token alone.
    func tokenCharacters(_ token: UInt64) -> Int
}

extension SynthModel {
    /// Character offset where token `index` starts in the rendered text of `seq`.
    func characterOffset(_ seq: TokenSeq, _ index: Int) -> Int {
        var offset = 0
        for i in 0 ..< index { offset += characters(seq.tokens[i], seq.meta[i]) }
        return offset
    }
}

/// Population-level facts shared by both content models: which training patients hold which
/// rare condition (1-3 holders each, all among training patients), and patient ids.
struct SynthPopulation: Sendable {
    static let idModulus: UInt64 = 90_000_000
    static let idMultiplier: UInt64 = 7_777_777

    let seed: UInt64
    /// Patient index -> indices into the model's rare-condition catalog.
    let rareByPatient: [Int: [Int]]
    /// Training patients holding a rare condition, ascending.
    let rareHolders: [Int]

    /// `bound`: holders are drawn among training patients 0 ..< bound. One condition of the
    /// catalog is used per 50 patients, so that holders stay about 2% of a small population.
    init(seed: UInt64, rareConditions: Int, bound: Int) {
        self.seed = seed
        var rng = SynthRNG(seed: seed, stream: SynthStream.population, index: 0)
        var byPatient: [Int: [Int]] = [:]
        if bound > 0 {
            for condition in 0 ..< min(rareConditions, max(1, bound / 50)) {
                let holders = min(bound, 1 + rng.below(3))
                var chosen: [Int] = []
                var attempts = 0
                while chosen.count < holders && attempts < 100 {
                    attempts += 1
                    let patient = rng.below(bound)
                    if !chosen.contains(patient) { chosen.append(patient) }
                }
                for patient in chosen { byPatient[patient, default: []].append(condition) }
            }
        }
        rareByPatient = byPatient
        rareHolders = byPatient.keys.sorted()
    }

    func rareConditions(_ key: PatientKey) -> [Int] {
        key.heldOut ? [] : rareByPatient[key.index] ?? []
    }

    /// An 8-digit MIMIC-like subject id; training and held-out ids never collide.
    func patientNumber(_ key: PatientKey) -> UInt64 {
        let slot = key.heldOut ? SynthPopulation.idModulus - 1 - UInt64(key.index) : UInt64(key.index)
        return 10_000_000 + (slot &* SynthPopulation.idMultiplier &+ seed % SynthPopulation.idModulus) % SynthPopulation.idModulus
    }

    func patientRNG(_ key: PatientKey) -> SynthRNG {
        SynthRNG(seed: seed, stream: key.heldOut ? SynthStream.heldOut : SynthStream.patient, index: UInt64(key.index))
    }
}

/// Independent random streams.
enum SynthStream {
    static let patient: UInt64 = 1
    static let heldOut: UInt64 = 2
    static let generation: UInt64 = 3
    static let population: UInt64 = 4
}
