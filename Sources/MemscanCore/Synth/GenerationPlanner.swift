/// What a planted span is.
enum PlantedKind: UInt8 {
    case verbatim, near, template

    var name: StaticString {
        switch self {
        case .verbatim: return "verbatim"
        case .near: return "near"
        case .template: return "template"
        }
    }
}

/// One span put into a generation on purpose: one line of truth.jsonl.
struct PlantedSpan {
    var kind: PlantedKind
    var genStart = 0
    var genEnd = 0
    /// Training patient index of the source record.
    var source = 0
    var recordStart = 0
    var recordEnd = 0
    var isSelf = false
    var substitutions = 0
    var insertions = 0
    var deletions = 0
    var distance = 0
    var requestedRate = 0.0
    var template = -1
    var recordCharStart = 0
    var recordCharEnd = 0
}

/// How a generation continues its prompt.
enum Scenario: Int, CaseIterable {
    /// Invented, population-typical events or text.
    case novel
    /// Invented content around one shared template (population-level knowledge).
    case template
    /// The prompting patient's own record, continued verbatim after the prompt.
    case selfCopy
    /// A verbatim stretch of another patient's record.
    case otherCopy
    /// A near copy (own record away from the prompt, or another patient's).
    case near
    /// Own continuation or a template, then a verbatim or near copy.
    case mixed

    static let weights: [Double] = [25, 15, 25, 12, 13, 10]

    var name: StaticString {
        switch self {
        case .novel: return "novel"
        case .template: return "template"
        case .selfCopy: return "self"
        case .otherCopy: return "other"
        case .near: return "near"
        case .mixed: return "mixed"
        }
    }
}

/// Read-only facts every generation chunk needs.
struct GenerationContext<M: SynthModel>: Sendable {
    let model: M
    let population: SynthPopulation
    let trainCount: Int
    let rareHolders: [Int]
    /// First training record holding each template (patient, position), nil if none does.
    let templateFirst: [TemplateOccurrence?]
    let templateRecords: [Int]
    let templateTable: AliasTable?
    let nearRates: [Double]
    let nearLengths: ClosedRange<Int>
    let promptLevels: [Int]
    let experiment: String
    let scenarioTable = AliasTable(weights: Scenario.weights)
    let idWidth: Int
}

struct TemplateOccurrence: Sendable {
    var patient: Int
    var position: Int
    var charStart = 0
    var charEnd = 0
}

/// Counts of one chunk of generations, merged into the report.
struct GenerationStats {
    var generations = 0
    var tokens = 0
    var spanCounts = [Int](repeating: 0, count: 5)
    var spanTokens = [Int](repeating: 0, count: 5)
    var scenarios = [Int](repeating: 0, count: Scenario.allCases.count)
    var nearRates: [Int]
    var sensitive = 0
    var rare = 0

    init(rates: Int) { nearRates = [Int](repeating: 0, count: rates) }

    static let classNames = ["verbatim_self", "verbatim_other", "near_self", "near_other", "template"]

    mutating func merge(_ other: GenerationStats) {
        generations += other.generations
        tokens += other.tokens
        for i in 0 ..< 5 {
            spanCounts[i] += other.spanCounts[i]
            spanTokens[i] += other.spanTokens[i]
        }
        for i in scenarios.indices { scenarios[i] += other.scenarios[i] }
        for i in nearRates.indices { nearRates[i] += other.nearRates[i] }
        sensitive += other.sensitive
        rare += other.rare
    }
}

/// Builds generations one at a time; holds scratch buffers reused across a chunk.
struct GenerationWorker<M: SynthModel> {
    let context: GenerationContext<M>
    var rng = SynthRNG(seed: 0, stream: 0, index: 0)
    var patientRecord = TokenSeq(capacity: 4096)
    var sourceRecord = TokenSeq(capacity: 4096)
    var piece = TokenSeq(capacity: 512)
    var seq = TokenSeq(capacity: 1024)
    var spans: [PlantedSpan] = []
    var avoidNext = TokenGuard.none
    var hits: [TemplateHit] = []
    var promptLength = 0
    /// End of the own-record continuation already planted (near copies of the own record stay clear of it).
    var ownCopiedEnd = 0
    var patient = 0
    var rowA: [Int32] = []
    var rowB: [Int32] = []

    init(context: GenerationContext<M>) {
        self.context = context
    }

    var model: M { context.model }

    // MARK: - One generation

    mutating func generate(_ index: Int, generations: SynthBytes, truth: SynthBytes, stats: inout GenerationStats) {
        rng = SynthRNG(seed: context.population.seed, stream: SynthStream.generation, index: UInt64(index))
        patient = pickPatient()
        let level = context.promptLevels[rng.below(context.promptLevels.count)]
        var scenario = Scenario(rawValue: context.scenarioTable.draw(&rng))!
        let limit: Int
        switch scenario {
        case .novel, .template, .otherCopy: limit = level + 11
        case .selfCopy: limit = level + 170
        case .near, .mixed: limit = Int.max
        }
        model.record(PatientKey(index: patient, heldOut: false), limit: limit, into: &patientRecord, hits: &hits)
        promptLength = min(level, max(0, patientRecord.count - 10))
        seq.removeAll()
        spans.removeAll(keepingCapacity: true)
        ownCopiedEnd = 0
        seq.append(patientRecord, 0 ..< promptLength)
        avoidNext = promptLength < patientRecord.count ? TokenGuard(token: patientRecord.tokens[promptLength]) : .none
        let total = rng.skewed(40, 200, mean: 25)

        switch scenario {
        case .novel:
            addNovel(total)
        case .template:
            if !fillAround(total, { $0.plantTemplate() }) { scenario = .novel }
        case .selfCopy:
            let room = patientRecord.count - promptLength
            if room >= 10 {
                let length = continueOwn(min(rng.skewed(10, 150, mean: 30), room))
                addNovel(max(3, total - length))
            } else {
                scenario = .novel
                addNovel(total)
            }
        case .otherCopy:
            if !fillAround(total, { $0.plantOtherCopy() }) { scenario = .novel }
        case .near:
            if !fillAround(total, { $0.plantNearCopy() }) { scenario = .novel }
        case .mixed:
            let room = patientRecord.count - promptLength
            if promptLength > 0 && room >= 10 && rng.chance(0.5) {
                _ = continueOwn(min(rng.skewed(10, 60, mean: 15), room))
            } else if !plantTemplate() {
                addNovel(rng.int(3, 20))
            }
            addNovel(rng.int(3, 20))
            if rng.chance(0.5) {
                if !plantOtherCopy() { _ = plantNearCopy() }
            } else {
                if !plantNearCopy() { _ = plantOtherCopy() }
            }
            addNovel(max(rng.int(3, 20), promptLength + 40 - seq.count))
        }
        write(index, scenario: scenario, level: level, generations: generations, truth: truth, stats: &stats)
    }

    /// Novel tokens, the planted piece, novel tokens: the continuation reaches about `total`.
    private mutating func fillAround(_ total: Int, _ plant: (inout GenerationWorker) -> Bool) -> Bool {
        let before = rng.int(0, total / 2)
        addNovel(before)
        let mark = seq.count
        let planted = plant(&self)
        addNovel(max(3, total - before - (seq.count - mark)))
        return planted
    }

    // MARK: - Choosing patients

    /// A training patient; 30% of the time one with a sensitive or rare condition.
    private mutating func pickPatient() -> Int {
        if rng.chance(0.3), let special = pickSpecial(excluding: -1) { return special }
        return rng.below(context.trainCount)
    }

    private mutating func pickSpecial(excluding: Int) -> Int? {
        if !context.rareHolders.isEmpty && rng.chance(0.25) {
            let holder = rng.pick(context.rareHolders)
            if holder != excluding { return holder }
        }
        for _ in 0 ..< 32 {
            let candidate = rng.below(context.trainCount)
            if candidate != excluding && model.isSpecial(PatientKey(index: candidate, heldOut: false)) { return candidate }
        }
        return nil
    }

    /// Another patient to copy from; half the time one with a sensitive or rare condition.
    private mutating func pickSource() -> Int? {
        guard context.trainCount > 1 else { return nil }
        if rng.chance(0.5), let special = pickSpecial(excluding: patient) { return special }
        while true {
            let candidate = rng.below(context.trainCount)
            if candidate != patient { return candidate }
        }
    }

    // MARK: - Pieces

    private mutating func addNovel(_ count: Int) {
        guard count > 0 else { return }
        let start = seq.count
        model.novel(&rng, count: count, fromStart: seq.isEmpty, into: &seq)
        if seq.count > start && avoidNext.forbids(seq.tokens[start], model) {
            let (token, meta) = model.filler(&rng, avoiding: avoidNext)
            seq.tokens[start] = token
            seq.meta[start] = meta
        }
        avoidNext = .none
    }

    /// Appends `piece`, separated from what precedes it by a filler when the seam could match.
    private mutating func addPiece(_ span: PlantedSpan, _ piece: TokenSeq, _ range: Range<Int>,
                                   before: TokenGuard, after: TokenGuard) {
        if let last = seq.tokens.last, before.forbids(last, model) || avoidNext.forbids(piece.tokens[range.lowerBound], model) {
            let (token, meta) = model.filler(&rng, avoiding: before.union(avoidNext))
            seq.append(token, meta)
        }
        var span = span
        span.genStart = seq.count
        seq.append(piece, range)
        span.genEnd = seq.count
        spans.append(span)
        avoidNext = after
    }

    private func guardBefore(_ record: TokenSeq, _ start: Int) -> TokenGuard {
        start > 0 ? TokenGuard(token: record.tokens[start - 1]) : .none
    }

    private func guardAfter(_ record: TokenSeq, _ end: Int) -> TokenGuard {
        end < record.count ? TokenGuard(token: record.tokens[end]) : .none
    }

    /// The prompt runs on into the patient's own record: one span from token 0 (§4).
    private mutating func continueOwn(_ length: Int) -> Int {
        let p = promptLength
        let (_, end) = model.snap(patientRecord, start: p, end: p + length, lo: p, hi: patientRecord.count)
        seq.append(patientRecord, p ..< end)
        var span = PlantedSpan(kind: .verbatim)
        span.genStart = 0
        span.genEnd = end
        span.source = patient
        span.recordStart = 0
        span.recordEnd = end
        span.isSelf = true
        if model.hasCharacterOffsets { setRecordCharacters(&span, patientRecord) }
        spans.append(span)
        avoidNext = guardAfter(patientRecord, end)
        ownCopiedEnd = end
        return end - p
    }

    /// A population-typical template, chosen in proportion to the records holding it.
    private mutating func plantTemplate() -> Bool {
        guard let table = context.templateTable else { return false }
        let t = table.draw(&rng)
        guard let first = context.templateFirst[t] else { return false }
        let template = model.templates[t]
        var span = PlantedSpan(kind: .template)
        span.source = first.patient
        span.recordStart = first.position
        span.recordEnd = first.position + template.count
        span.isSelf = first.patient == patient
        span.template = t
        span.recordCharStart = first.charStart
        span.recordCharEnd = first.charEnd
        let (before, after) = model.templateGuards(t)
        addPiece(span, template, 0 ..< template.count, before: before, after: after)
        return true
    }

    /// A verbatim stretch of someone else's record, often covering a sensitive or rare condition.
    private mutating func plantOtherCopy() -> Bool {
        guard let source = pickSource() else { return false }
        model.record(PatientKey(index: source, heldOut: false), limit: Int.max, into: &sourceRecord, hits: &hits)
        let length = rng.skewed(10, 150, mean: 30)
        guard sourceRecord.count >= 10 else { return false }
        let cover = rng.chance(0.6) ? specialPosition(sourceRecord, from: 0) : nil
        var (start, end) = window(length, lo: 0, hi: sourceRecord.count, cover: cover)
        (start, end) = model.snap(sourceRecord, start: start, end: end, lo: 0, hi: sourceRecord.count)
        var span = PlantedSpan(kind: .verbatim)
        span.source = source
        span.recordStart = start
        span.recordEnd = end
        if model.hasCharacterOffsets { setRecordCharacters(&span, sourceRecord) }
        addPiece(span, sourceRecord, start ..< end,
                 before: guardBefore(sourceRecord, start), after: guardAfter(sourceRecord, end))
        return true
    }

    /// A near copy with substitutions, insertions and deletions at a requested rate: of the own
    /// record away from the prompt half the time, else of another patient's record.
    private mutating func plantNearCopy() -> Bool {
        let lengths = context.nearLengths
        var length = rng.int(lengths.lowerBound, lengths.upperBound)
        let ownLo = max(promptLength, ownCopiedEnd) + 5
        let ownRoom = patientRecord.count - ownLo >= lengths.lowerBound
        if !(ownRoom && rng.chance(0.5)) {
            // Another patient whose record is long enough (a few tries).
            for _ in 0 ..< 4 {
                guard let source = pickSource() else { break }
                model.record(PatientKey(index: source, heldOut: false), limit: Int.max, into: &sourceRecord, hits: &hits)
                if sourceRecord.count < lengths.lowerBound { continue }
                var span = PlantedSpan(kind: .near)
                span.source = source
                return plantNear(from: sourceRecord, lo: 0, length: &length, span: span)
            }
        }
        guard ownRoom else { return false }
        var span = PlantedSpan(kind: .near)
        span.source = patient
        span.isSelf = true
        return plantNear(from: patientRecord, lo: ownLo, length: &length, span: span)
    }

    private mutating func plantNear(from record: TokenSeq, lo: Int, length: inout Int, span: PlantedSpan) -> Bool {
        let hi = record.count
        length = min(length, hi - lo)
        let cover = rng.chance(0.6) ? specialPosition(record, from: lo) : nil
        var (start, end) = window(length, lo: lo, hi: hi, cover: cover)
        let (s, e) = model.snap(record, start: start, end: end, lo: lo, hi: hi)
        if context.nearLengths.contains(e - s) { (start, end) = (s, e) }
        let rateIndex = rng.below(context.nearRates.count)
        var span = span
        span.recordStart = start
        span.recordEnd = end
        span.requestedRate = context.nearRates[rateIndex]
        perturb(record, start ..< end, rate: span.requestedRate, span: &span)
        if model.hasCharacterOffsets { setRecordCharacters(&span, record) }
        addPiece(span, piece, 0 ..< piece.count, before: guardBefore(record, start), after: guardAfter(record, end))
        return true
    }

    /// A window [start, start + length) inside [lo, hi), covering `cover` when given.
    private mutating func window(_ length: Int, lo: Int, hi: Int, cover: Int?) -> (Int, Int) {
        let length = min(length, hi - lo)
        var first = lo, last = hi - length
        if let cover, cover >= lo, cover < hi {
            first = max(first, cover - length + 1)
            last = min(last, cover)
        }
        let start = rng.int(first, max(first, last))
        return (start, start + length)
    }

    /// A position holding a sensitive or rare token, at or after `from`.
    private mutating func specialPosition(_ record: TokenSeq, from: Int) -> Int? {
        var found = 0
        var chosen: Int? = nil
        for i in from ..< record.count where model.flags(record.tokens[i]) != 0 {
            found += 1
            if rng.below(found) == 0 { chosen = i }  // reservoir sampling: uniform over hits
        }
        return chosen
    }

    // MARK: - Near copies

    /// Edits at distinct positions at least two tokens apart, the first and last two tokens left
    /// intact so that the near span starts and ends exactly where it was planted. The distance
    /// is then measured, not assumed.
    private mutating func perturb(_ record: TokenSeq, _ range: Range<Int>, rate: Double, span: inout PlantedSpan) {
        let length = range.count
        let slots = length - 4
        var edits = max(1, Int((rate * Double(length)).rounded()))
        edits = min(edits, (slots + 1) / 2)
        let choices = slots - (edits - 1)
        piece.removeAll()
        var selected = 0
        var nextEdit = -1
        var j = 0
        // Selection sampling (Knuth's algorithm S) gives sorted picks; pick k moves up by k.
        func advance(_ rng: inout SynthRNG) -> Int {
            while j < choices {
                let candidate = j
                j += 1
                if rng.below(choices - candidate) < edits - selected {
                    selected += 1
                    return 2 + candidate + (selected - 1)
                }
            }
            return -1
        }
        nextEdit = edits > 0 ? advance(&rng) : -1
        var i = 0
        while i < length {
            let token = record.tokens[range.lowerBound + i]
            let meta = record.meta[range.lowerBound + i]
            if i != nextEdit {
                piece.append(token, meta)
                i += 1
                continue
            }
            switch rng.below(4) {
            case 0, 1:
                let (replacement, replacementMeta) = model.substitute(&rng, token, meta)
                piece.append(replacement, replacementMeta)
                span.substitutions += 1
            case 2:
                piece.append(token, meta)
                let next = record.tokens[range.lowerBound + i + 1]
                var inserted = model.insertion(&rng)
                var attempts = 0
                while (inserted.0 == token || inserted.0 == next) && attempts < 32 {
                    inserted = model.insertion(&rng)
                    attempts += 1
                }
                piece.append(inserted.0, inserted.1)
                span.insertions += 1
            default:
                span.deletions += 1
            }
            i += 1
            nextEdit = selected < edits ? advance(&rng) : -1
        }
        let budget = span.substitutions + span.insertions + span.deletions
        var first = rowA, second = rowB
        rowA = []
        rowB = []
        span.distance = piece.tokens.withUnsafeBufferPointer { a in
            record.tokens.withUnsafeBufferPointer { all in
                let b = UnsafeBufferPointer(rebasing: all[range])
                let banded = bandedLevenshtein(a, b, band: budget, rowA: &first, rowB: &second)
                return banded <= budget ? banded : levenshtein(a, b)
            }
        }
        rowA = first
        rowB = second
    }

    // MARK: - Output

    private func setRecordCharacters(_ span: inout PlantedSpan, _ record: TokenSeq) {
        let start = model.characterOffset(record, span.recordStart)
        var end = start
        for i in span.recordStart ..< span.recordEnd - 1 { end += model.characters(record.tokens[i], record.meta[i]) }
        end += model.tokenCharacters(record.tokens[span.recordEnd - 1])
        span.recordCharStart = start
        span.recordCharEnd = end
    }

    private func writeID(_ index: Int, _ out: SynthBytes) {
        out.ascii("\"gen-")
        out.decimal(width: context.idWidth, UInt64(index + 1))
        out.byte(UInt8(ascii: "\""))
    }

    private func writePatientID(_ patient: Int, _ out: SynthBytes) {
        out.byte(UInt8(ascii: "\""))
        out.decimal(width: 1, context.population.patientNumber(PatientKey(index: patient, heldOut: false)))
        out.byte(UInt8(ascii: "\""))
    }

    private func write(_ index: Int, scenario: Scenario, level: Int, generations out: SynthBytes, truth: SynthBytes,
                       stats: inout GenerationStats) {
        out.ascii("{\"id\":")
        writeID(index, out)
        out.ascii(",\"patient_id\":")
        writePatientID(patient, out)
        out.ascii(",\"experiment\":")
        out.jsonString(context.experiment)
        out.ascii(",\"scenario\":\"")
        let name = scenario.name
        out.append(name.utf8Start, name.utf8CodeUnitCount)
        out.ascii("\",\"prompt_level\":")
        out.decimal(level)
        out.ascii(",\"prompt_length\":")
        out.decimal(promptLength)
        out.byte(UInt8(ascii: ","))
        model.writeContent(seq, out)
        out.ascii("}\n")

        stats.generations += 1
        stats.tokens += seq.count
        stats.scenarios[scenario.rawValue] += 1
        let characters = model.hasCharacterOffsets
        for span in spans {
            var flags: UInt8 = 0
            for i in span.genStart ..< span.genEnd { flags |= model.flags(seq.tokens[i]) }
            let cls: Int
            switch span.kind {
            case .verbatim: cls = span.isSelf ? 0 : 1
            case .near: cls = span.isSelf ? 2 : 3
            case .template: cls = 4
            }
            stats.spanCounts[cls] += 1
            stats.spanTokens[cls] += span.genEnd - span.genStart
            if flags & TokenFlags.sensitive != 0 { stats.sensitive += 1 }
            if flags & TokenFlags.rare != 0 { stats.rare += 1 }
            if span.kind == .near, let r = context.nearRates.firstIndex(of: span.requestedRate) { stats.nearRates[r] += 1 }

            truth.ascii("{\"generation\":")
            writeID(index, truth)
            truth.ascii(",\"kind\":\"")
            truth.append(span.kind.name.utf8Start, span.kind.name.utf8CodeUnitCount)
            truth.ascii("\",\"self\":")
            if span.isSelf { truth.ascii("true") } else { truth.ascii("false") }
            truth.ascii(",\"gen_start\":")
            truth.decimal(span.genStart)
            truth.ascii(",\"gen_end\":")
            truth.decimal(span.genEnd)
            truth.ascii(",\"new_tokens\":")
            truth.decimal(span.genEnd - max(span.genStart, promptLength))
            truth.ascii(",\"record\":")
            writePatientID(span.source, truth)
            truth.ascii(",\"record_start\":")
            truth.decimal(span.recordStart)
            truth.ascii(",\"record_end\":")
            truth.decimal(span.recordEnd)
            truth.ascii(",\"edits\":{\"substitutions\":")
            truth.decimal(span.substitutions)
            truth.ascii(",\"insertions\":")
            truth.decimal(span.insertions)
            truth.ascii(",\"deletions\":")
            truth.decimal(span.deletions)
            truth.ascii("},\"distance\":")
            truth.decimal(span.distance)
            let sourceLength = span.recordEnd - span.recordStart
            let genLength = span.genEnd - span.genStart
            truth.ascii(",\"edit_rate\":")
            truth.double(Double(span.substitutions + span.insertions + span.deletions) / Double(sourceLength))
            truth.ascii(",\"similarity\":")
            truth.double(1 - Double(span.distance) / Double(max(sourceLength, genLength)))
            if span.kind == .near {
                truth.ascii(",\"requested_rate\":")
                truth.double(span.requestedRate)
            }
            truth.ascii(",\"sensitive\":")
            if flags & TokenFlags.sensitive != 0 { truth.ascii("true") } else { truth.ascii("false") }
            truth.ascii(",\"rare\":")
            if flags & TokenFlags.rare != 0 { truth.ascii("true") } else { truth.ascii("false") }
            if span.kind == .template {
                truth.ascii(",\"template\":")
                truth.jsonString(model.templateNames[span.template])
                truth.ascii(",\"records\":")
                truth.decimal(context.templateRecords[span.template])
            }
            if characters {
                let genCharStart = model.characterOffset(seq, span.genStart)
                var genCharEnd = genCharStart
                for i in span.genStart ..< span.genEnd - 1 { genCharEnd += model.characters(seq.tokens[i], seq.meta[i]) }
                genCharEnd += model.tokenCharacters(seq.tokens[span.genEnd - 1])
                truth.ascii(",\"gen_char_start\":")
                truth.decimal(genCharStart)
                truth.ascii(",\"gen_char_end\":")
                truth.decimal(genCharEnd)
                truth.ascii(",\"record_char_start\":")
                truth.decimal(span.recordCharStart)
                truth.ascii(",\"record_char_end\":")
                truth.decimal(span.recordCharEnd)
            }
            truth.ascii("}\n")
        }
    }
}

/// Plain O(n m) token edit distance (fallback and tests).
func levenshtein(_ a: UnsafeBufferPointer<UInt64>, _ b: UnsafeBufferPointer<UInt64>) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0 ... b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1 ... a.count {
        current[0] = i
        for j in 1 ... b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// Levenshtein distance restricted to the diagonal band |i - j| <= band: exact whenever the
/// true distance is at most `band` (Ukkonen), otherwise some value above `band`.
func bandedLevenshtein(_ a: UnsafeBufferPointer<UInt64>, _ b: UnsafeBufferPointer<UInt64>, band: Int,
                       rowA: inout [Int32], rowB: inout [Int32]) -> Int {
    let n = a.count, m = b.count
    if abs(n - m) > band { return band + 1 }
    let infinity = Int32.max / 2
    if rowA.count < m + 2 {
        rowA = [Int32](repeating: 0, count: m + 2)
        rowB = [Int32](repeating: 0, count: m + 2)
    }
    return rowA.withUnsafeMutableBufferPointer { first in
        rowB.withUnsafeMutableBufferPointer { second in
            var previous = first.baseAddress!, current = second.baseAddress!
            for j in 0 ... m { previous[j] = j <= band ? Int32(j) : infinity }
            previous[m + 1] = infinity
            if n == 0 { return m }
            for i in 1 ... n {
                let lo = max(1, i - band), hi = min(m, i + band)
                current[lo - 1] = lo == 1 ? (i <= band ? Int32(i) : infinity) : infinity
                if lo > hi {
                    swap(&previous, &current)
                    continue
                }
                let x = a[i - 1]
                for j in lo ... hi {
                    var best = previous[j - 1] + (x == b[j - 1] ? 0 : 1)
                    let deletion = previous[j] + 1
                    if deletion < best { best = deletion }
                    let insertion = current[j - 1] + 1
                    if insertion < best { best = insertion }
                    current[j] = best
                }
                if hi < m { current[hi + 1] = infinity }
                swap(&previous, &current)
            }
            return Int(previous[m])
        }
    }
}
