/// Text-mode content model: a patient's record is one to several clinical notes (discharge
/// summary, radiology, progress, emergency, psychiatry, pathology), rendered from templates
/// whose slots hold the patient's name, record number, dates, doses and findings. Most phrasing
/// is shared by every note of a type; the slots are what identifies a patient.
///
/// Tokens are exactly the text tokenizer's (§2): lower-case runs of ASCII letters and digits. A
/// word token is its vocabulary id; a number token is `1 << 63 | digits << 56 | value`, so that
/// `07` and `7` differ as they do in text. The meta byte keeps the separator after the token
/// (low 6 bits) and its letter case (high 2 bits: lower, Capitalized, UPPER, as first written).
struct TextModel: SynthModel {
    static let numberFlag: UInt64 = 1 << 63

    let population: SynthPopulation
    // Vocabulary
    let words: [String]
    let wordBytes: [UInt8]
    let wordEnds: [Int32]
    let displayBytes: [UInt8]
    let displayEnds: [Int32]
    let wordFlags: [UInt8]
    // Separators: raw text, pre-encoded JSON, JSON with trailing whitespace trimmed.
    let separators: [String]
    let separatorJSON: [[UInt8]]
    let separatorTrimmedJSON: [[UInt8]]
    let separatorCharacters: [Int]
    let separatorEndsSentence: [Bool]
    let noteEndSeparator: [UInt8]
    let space: UInt8
    let dot: UInt8
    let dash: UInt8
    let colon: UInt8

    struct Item {
        var token: UInt64
        var meta: UInt8
        /// -1 for a literal token, else the slot kind.
        var slot: Int16
    }

    struct NoteType {
        var weight: Double
        var psychiatric: Bool
        /// Sentences, each as its alternative phrasings; a sentence of one item with
        /// slot == -2 - n is paragraph n.
        var sentences: [[[Item]]]
    }

    let noteTypes: [NoteType]
    let noteTable: AliasTable
    let generalNoteTable: AliasTable
    let generalNoteIndex: [Int]
    let paragraphProbability: [Double]
    let templates: [TokenSeq]
    let templateNames: [String]
    let paragraphBefore: [UInt64]
    let paragraphAfter: [UInt64]

    // Slot values, pre-tokenized.
    let femaleNames: [UInt64]
    let maleNames: [UInt64]
    let lastNames: [UInt64]
    let sensitivePhrases: [[Item]]
    let sensitivePrevalence: [Double]
    let sensitivePsychiatric: [Bool]
    let sensitiveMedication: [[Item]]
    let sensitiveDoses: [[[Item]]]
    let sensitiveComplaints: [[[Item]]]
    let rarePhrases: [[Item]]
    let histories: [[Item]]
    let historyTable: AliasTable
    let complaints: [[Item]]
    let complaintTable: AliasTable
    let diagnoses: [[Item]]
    let diagnosisTable: AliasTable
    let psychReasons: [[Item]]
    let medications: [[Item]]
    let medicationDoses: [[[Item]]]
    let chestFindings: [[Item]]
    let specimens: [[Item]]
    let pathologies: [[Item]]
    let living: [[Item]]
    let dispositions: [[Item]]
    let oxygen: [[Item]]
    let services: [[Item]]
    let fillers: [UInt64]
    let sexWords: (UInt64, UInt64)
    let defaultPsychMedication: [Item]
    let defaultPsychDoses: [[Item]]

    enum Slot: Int16, CaseIterable {
        case name, mrn, dob, date, date2, clock, doctor, age, sexword, history, complaint, diagnosis, med, dose
        case psychmed, psychdose, weeks, day, sbp, dbp, hr, temp, spo2, creat, hgb, cxr, psych, specimen, pathdx
        case living, days, disposition, rr, oxygen, sodium, potassium, wbc, service, accession
    }

    var hasCharacterOffsets: Bool { true }

    /// Reason for a psychiatry consult that goes with each sensitive condition.
    static let psychReasonFor = [2, 2, 3, 4, 0, 6, 5, 1]

    // MARK: - Building the vocabulary

    /// Collects words and separators while the templates are parsed.
    private final class Builder {
        var words: [String] = []
        var display: [String] = []
        var ids: [String: UInt64] = [:]
        var separators: [String] = []
        var separatorIDs: [String: UInt8] = [:]

        func word(_ text: Substring) -> (UInt64, UInt8) {
            let lower = text.lowercased()
            let letters = text.filter(\.isLetter)
            let style: UInt8
            if letters.allSatisfy(\.isLowercase) {
                style = 0
            } else if letters.allSatisfy(\.isUppercase) && letters.count > 1 {
                style = 2
            } else if text.first!.isUppercase && text.dropFirst().filter(\.isLetter).allSatisfy(\.isLowercase) {
                style = 1
            } else {
                style = 3
            }
            if lower.allSatisfy(\.isNumber) {
                return (TextModel.number(UInt64(lower)!, digits: lower.count), 0)
            }
            if let id = ids[lower] { return (id, style) }
            let id = UInt64(words.count)
            words.append(lower)
            display.append(String(text))
            ids[lower] = id
            return (id, style)
        }

        func separator(_ text: String) -> UInt8 {
            precondition(!text.isEmpty, "tokens must be separated")
            if let id = separatorIDs[text] { return id }
            let id = UInt8(separators.count)
            precondition(id < 64, "too many separators")
            separators.append(text)
            separatorIDs[text] = id
            return id
        }

        /// Parses text with `{slot}` markers into items; the last item's separator is `tail`.
        func parse(_ text: String, tail: String) -> [Item] {
            var items: [Item] = []
            var pendingSeparator = ""
            var index = text.startIndex
            func closeSeparator() {
                guard !items.isEmpty else { return }
                let meta = items[items.count - 1].meta & 0xC0
                items[items.count - 1].meta = meta | separator(pendingSeparator)
                pendingSeparator = ""
            }
            while index < text.endIndex {
                let c = text[index]
                if c == "{" {
                    let close = text[index...].firstIndex(of: "}")!
                    let name = String(text[text.index(after: index) ..< close])
                    guard let slot = Slot.allCases.first(where: { "\($0)" == name }) else {
                        preconditionFailure("unknown slot \(name)")
                    }
                    if !items.isEmpty { closeSeparator() }
                    items.append(Item(token: 0, meta: 0, slot: slot.rawValue))
                    index = text.index(after: close)
                } else if c.isASCII && (c.isLetter || c.isNumber) {
                    var end = index
                    while end < text.endIndex, text[end].isASCII, text[end].isLetter || text[end].isNumber {
                        end = text.index(after: end)
                    }
                    if !items.isEmpty { closeSeparator() }
                    let (token, style) = word(text[index ..< end])
                    items.append(Item(token: token, meta: style << 6, slot: -1))
                    index = end
                } else {
                    pendingSeparator.append(c)
                    index = text.index(after: index)
                }
            }
            pendingSeparator += tail
            closeSeparator()
            return items
        }
    }

    static func number(_ value: UInt64, digits: Int) -> UInt64 {
        numberFlag | UInt64(digits) << 56 | value
    }

    init(population: SynthPopulation) {
        self.population = population
        let b = Builder()
        space = b.separator(" ")
        dot = b.separator(".")
        dash = b.separator("-")
        colon = b.separator(":")
        func phrase(_ text: String) -> [Item] { b.parse(text, tail: " ") }

        var noteTypes: [NoteType] = []
        for note in TextLists.noteTypes {
            var sentences: [[[Item]]] = []
            for line in note.lines {
                if line.hasPrefix("#") {
                    sentences.append([[Item(token: 0, meta: 0, slot: -2 - Int16(line.dropFirst())!)]])
                } else {
                    sentences.append(line.components(separatedBy: " | ").map { b.parse($0, tail: " ") })
                }
            }
            noteTypes.append(NoteType(weight: note.weight, psychiatric: note.psychiatric, sentences: sentences))
        }
        self.noteTypes = noteTypes
        noteTable = AliasTable(weights: noteTypes.map(\.weight))
        generalNoteIndex = noteTypes.indices.filter { !noteTypes[$0].psychiatric }
        generalNoteTable = AliasTable(weights: generalNoteIndex.map { noteTypes[$0].weight })

        var templates: [TokenSeq] = []
        var before: [UInt64] = [], after: [UInt64] = []
        for paragraph in TextLists.paragraphs {
            var seq = TokenSeq()
            for item in b.parse(paragraph.text, tail: " ") { seq.append(item.token, item.meta) }
            templates.append(seq)
            before.append(b.word(Substring(paragraph.before)).0)
            after.append(b.word(Substring(paragraph.after)).0)
        }
        self.templates = templates
        templateNames = TextLists.paragraphs.map(\.name)
        paragraphBefore = before
        paragraphAfter = after
        paragraphProbability = TextLists.paragraphs.map(\.probability)

        femaleNames = TextLists.femaleNames.map { b.word(Substring($0)).0 }
        maleNames = TextLists.maleNames.map { b.word(Substring($0)).0 }
        lastNames = TextLists.lastNames.map { b.word(Substring($0)).0 }
        sensitivePhrases = TextLists.sensitive.map { phrase($0.phrase) }
        sensitivePrevalence = TextLists.sensitive.map(\.prevalence)
        sensitivePsychiatric = TextLists.sensitive.map(\.psychiatric)
        sensitiveMedication = TextLists.sensitive.map { phrase($0.medication) }
        sensitiveDoses = TextLists.sensitive.map { $0.doses.map(phrase) }
        sensitiveComplaints = TextLists.sensitive.map { $0.complaints.map(phrase) }
        rarePhrases = TextLists.rare.map(phrase)
        histories = TextLists.histories.map(phrase)
        historyTable = AliasTable(zipf: histories.count, exponent: 1.0)
        complaints = TextLists.complaints.map(phrase)
        complaintTable = AliasTable(zipf: complaints.count, exponent: 0.8)
        diagnoses = TextLists.diagnoses.map(phrase)
        diagnosisTable = AliasTable(zipf: diagnoses.count, exponent: 0.8)
        psychReasons = TextLists.psychReasons.map(phrase)
        medications = TextLists.medications.map { phrase($0.name) }
        medicationDoses = TextLists.medications.map { $0.doses.map(phrase) }
        chestFindings = TextLists.chestFindings.map(phrase)
        specimens = TextLists.specimens.map { phrase($0.specimen) }
        pathologies = TextLists.specimens.map { phrase($0.diagnosis) }
        living = TextLists.living.map(phrase)
        dispositions = TextLists.dispositions.map(phrase)
        oxygen = TextLists.oxygen.map(phrase)
        services = TextLists.services.map(phrase)
        fillers = TextLists.fillerWords.map { b.word(Substring($0)).0 }
        sexWords = (b.word("woman").0, b.word("man").0)
        defaultPsychMedication = phrase("quetiapine")
        defaultPsychDoses = ["25", "50", "100"].map(phrase)

        // Separators: make the note-ending variants before freezing the table.
        let base = b.separators
        var noteEnd = [UInt8](repeating: 0, count: 64)
        for (i, sep) in base.enumerated() {
            var trimmed = sep
            while trimmed.last == " " || trimmed.last == "\n" { trimmed.removeLast() }
            noteEnd[i] = b.separator((trimmed.isEmpty ? "." : trimmed) + "\n\n")
        }
        for i in base.count ..< b.separators.count { noteEnd[i] = UInt8(i) }
        noteEndSeparator = noteEnd
        separators = b.separators
        separatorCharacters = b.separators.map { $0.unicodeScalars.count }
        separatorJSON = b.separators.map { sep in
            let out = SynthBytes(capacity: 32)
            out.jsonString(sep)
            return Array(UnsafeBufferPointer(start: out.base + 1, count: out.count - 2))
        }
        separatorTrimmedJSON = b.separators.map { sep in
            var trimmed = sep
            while trimmed.last == " " || trimmed.last == "\n" { trimmed.removeLast() }
            let out = SynthBytes(capacity: 32)
            out.jsonString(trimmed)
            return Array(UnsafeBufferPointer(start: out.base + 1, count: out.count - 2))
        }
        separatorEndsSentence = b.separators.map { sep in
            sep.contains(".") && (sep.hasSuffix(" ") || sep.hasSuffix("\n"))
        }

        words = b.words
        var bytes: [UInt8] = [], ends: [Int32] = []
        var display: [UInt8] = [], displayEnds: [Int32] = []
        for (word, shown) in zip(b.words, b.display) {
            bytes.append(contentsOf: word.utf8)
            ends.append(Int32(bytes.count))
            display.append(contentsOf: shown.utf8)
            displayEnds.append(Int32(display.count))
        }
        wordBytes = bytes
        wordEnds = ends
        displayBytes = display
        self.displayEnds = displayEnds
        wordFlags = b.words.map { word in
            (TextLists.sensitiveWords.contains(word) ? TokenFlags.sensitive : 0)
                | (TextLists.rareWords.contains(word) ? TokenFlags.rare : 0)
        }
    }

    // MARK: - Patients

    struct Patient {
        var rng: SynthRNG
        var female: Bool
        var first: UInt64
        var last: UInt64
        var mrn: UInt64
        var birthYear: Int, birthMonth: Int, birthDay: Int
        var age: Int
        var doctor: UInt64
        /// History phrases, the patient's sensitive and rare conditions first.
        var conditions: [Int]
        var sensitive: Int
        var psychiatric: Bool
        var medication: Int
        var dose: Int
        var living: Int
        var notes: Int
        var year: Int
        var special: Bool
    }

    /// Condition references: 0 ..< 1000 common history, 1000 + i sensitive, 2000 + i rare.
    func patient(_ rng: inout SynthRNG, rare: [Int]) -> Patient {
        let female = rng.below(2) == 0
        let first = female ? rng.pick(femaleNames) : rng.pick(maleNames)
        let last = rng.pick(lastNames)
        let mrn = UInt64(rng.int(10_000_000, 99_999_999))
        let age = min(95, max(18, Int(58 + 18 * rng.gaussian())))
        let year = rng.int(2012, 2023)
        var conditions: [Int] = []
        var sensitive = -1
        var psychiatric = false
        for (i, prevalence) in sensitivePrevalence.enumerated() where rng.chance(prevalence) {
            conditions.append(1000 + i)
            if sensitive < 0 { sensitive = i }
            psychiatric = psychiatric || sensitivePsychiatric[i]
        }
        for condition in rare { conditions.append(2000 + condition) }
        let special = !conditions.isEmpty
        let common = rng.int(1, 3)
        for _ in 0 ..< common {
            let h = historyTable.draw(&rng)
            if !conditions.contains(h) { conditions.append(h) }
        }
        let medication = rng.below(medications.count)
        return Patient(
            rng: rng, female: female, first: first, last: last, mrn: mrn,
            birthYear: year - age, birthMonth: rng.int(1, 12), birthDay: rng.int(1, 28), age: age,
            doctor: rng.pick(lastNames), conditions: conditions, sensitive: sensitive, psychiatric: psychiatric,
            medication: medication, dose: rng.below(medicationDoses[medication].count), living: rng.below(living.count),
            notes: 1 + rng.skewed(0, 7, mean: 1.3), year: year, special: special)
    }

    func isSpecial(_ key: PatientKey) -> Bool {
        var rng = population.patientRNG(key)
        return patient(&rng, rare: population.rareConditions(key)).special
    }

    func record(_ key: PatientKey, limit: Int, into seq: inout TokenSeq, hits: inout [TemplateHit]) {
        seq.removeAll()
        hits.removeAll(keepingCapacity: true)
        var rng = population.patientRNG(key)
        var p = patient(&rng, rare: population.rareConditions(key))
        for _ in 0 ..< p.notes {
            if seq.count >= limit { break }
            note(&p, paragraphs: true, into: &seq, hits: &hits)
        }
        seq.truncate(to: limit)
        if !hits.isEmpty {
            hits.removeAll { $0.position + templates[$0.template].count > seq.count }
        }
    }

    /// Per-note details: dates, vitals, findings.
    private struct NoteSlots {
        var year = 0, month = 0, day = 0, day2 = 0
        var specimen = 0
        var cxr = 0
    }

    private func note(_ p: inout Patient, paragraphs: Bool, into seq: inout TokenSeq, hits: inout [TemplateHit]) {
        let type = p.psychiatric ? noteTable.draw(&p.rng) : generalNoteIndex[generalNoteTable.draw(&p.rng)]
        var slots = NoteSlots()
        slots.year = min(2024, p.year + p.rng.below(3))
        slots.month = p.rng.int(1, 12)
        slots.day = p.rng.int(1, 20)
        slots.day2 = slots.day + p.rng.int(1, 8)
        slots.specimen = p.rng.below(specimens.count)
        slots.cxr = p.rng.below(chestFindings.count)
        for alternatives in noteTypes[type].sentences {
            let sentence = alternatives.count == 1 ? alternatives[0] : alternatives[p.rng.below(alternatives.count)]
            if sentence.count == 1 && sentence[0].slot <= -2 {
                let paragraph = Int(-2 - sentence[0].slot)
                if paragraphs && p.rng.chance(paragraphProbability[paragraph]) {
                    hits.append(TemplateHit(template: paragraph, position: seq.count))
                    seq.append(templates[paragraph])
                }
                continue
            }
            for item in sentence {
                if item.slot < 0 {
                    seq.append(item.token, item.meta)
                } else {
                    fill(Slot(rawValue: item.slot)!, &p, slots, separator: item.meta & 63, into: &seq)
                }
            }
        }
        if !seq.isEmpty {
            let last = seq.count - 1
            seq.meta[last] = seq.meta[last] & 0xC0 | noteEndSeparator[Int(seq.meta[last] & 63)]
        }
    }

    @inline(__always)
    private func number(_ value: Int, digits: Int = 0, separator: UInt8, into seq: inout TokenSeq) {
        var width = 1
        var v = value / 10
        while v > 0 { width += 1; v /= 10 }
        seq.append(TextModel.number(UInt64(value), digits: max(width, digits)), separator)
    }

    private func append(_ phrase: [Item], separator: UInt8, into seq: inout TokenSeq) {
        for item in phrase { seq.append(item.token, item.meta) }
        let last = seq.count - 1
        seq.meta[last] = seq.meta[last] & 0xC0 | separator
    }

    private func date(_ year: Int, _ month: Int, _ day: Int, separator: UInt8, into seq: inout TokenSeq) {
        number(year, separator: dash, into: &seq)
        number(month, digits: 2, separator: dash, into: &seq)
        number(day, digits: 2, separator: separator, into: &seq)
    }

    private func decimal(_ rng: inout SynthRNG, _ lo: Int, _ hi: Int, separator: UInt8, into seq: inout TokenSeq) {
        let tenths = rng.int(lo, hi)
        number(tenths / 10, separator: dot, into: &seq)
        number(tenths % 10, separator: separator, into: &seq)
    }

    private func fill(_ slot: Slot, _ p: inout Patient, _ n: NoteSlots, separator: UInt8, into seq: inout TokenSeq) {
        let capitalized: UInt8 = 1 << 6
        switch slot {
        case .name:
            seq.append(p.first, capitalized | space)
            seq.append(p.last, capitalized | separator)
        case .mrn: number(Int(p.mrn), separator: separator, into: &seq)
        case .dob: date(p.birthYear, p.birthMonth, p.birthDay, separator: separator, into: &seq)
        case .date: date(n.year, n.month, n.day, separator: separator, into: &seq)
        case .date2: date(n.year, n.month, n.day2, separator: separator, into: &seq)
        case .clock:
            number(p.rng.int(0, 23), digits: 2, separator: colon, into: &seq)
            number(p.rng.int(0, 59), digits: 2, separator: separator, into: &seq)
        case .doctor: seq.append(p.doctor, capitalized | separator)
        case .age: number(p.age, separator: separator, into: &seq)
        case .sexword: seq.append(p.female ? sexWords.0 : sexWords.1, separator)
        case .history:
            let i = p.rng.chance(0.7) ? 0 : p.rng.below(p.conditions.count)
            append(condition(p.conditions[i]), separator: separator, into: &seq)
        case .complaint:
            if p.sensitive >= 0 && p.rng.chance(0.4) {
                append(p.rng.pick(sensitiveComplaints[p.sensitive]), separator: separator, into: &seq)
            } else {
                append(complaints[complaintTable.draw(&p.rng)], separator: separator, into: &seq)
            }
        case .diagnosis: append(diagnoses[diagnosisTable.draw(&p.rng)], separator: separator, into: &seq)
        case .med: append(medications[p.medication], separator: separator, into: &seq)
        case .dose: append(medicationDoses[p.medication][p.dose], separator: separator, into: &seq)
        case .psychmed:
            append(p.sensitive >= 0 ? sensitiveMedication[p.sensitive] : defaultPsychMedication, separator: separator, into: &seq)
        case .psychdose:
            let doses = p.sensitive >= 0 ? sensitiveDoses[p.sensitive] : defaultPsychDoses
            append(doses[Int(p.mrn % UInt64(doses.count))], separator: separator, into: &seq)
        case .weeks: number(p.rng.int(1, 6), separator: separator, into: &seq)
        case .day: number(p.rng.int(2, 9), separator: separator, into: &seq)
        case .sbp: number(p.rng.int(95, 175), separator: separator, into: &seq)
        case .dbp: number(p.rng.int(50, 100), separator: separator, into: &seq)
        case .hr: number(p.rng.int(55, 125), separator: separator, into: &seq)
        case .temp: decimal(&p.rng, 362, 394, separator: separator, into: &seq)
        case .spo2: number(p.rng.int(88, 100), separator: separator, into: &seq)
        case .creat: decimal(&p.rng, 6, 45, separator: separator, into: &seq)
        case .hgb: decimal(&p.rng, 68, 155, separator: separator, into: &seq)
        case .cxr: append(chestFindings[n.cxr], separator: separator, into: &seq)
        case .psych:
            let reason = p.sensitive >= 0 && p.rng.chance(0.6)
                ? TextModel.psychReasonFor[p.sensitive] : p.rng.below(psychReasons.count)
            append(psychReasons[reason], separator: separator, into: &seq)
        case .specimen: append(specimens[n.specimen], separator: separator, into: &seq)
        case .pathdx: append(pathologies[n.specimen], separator: separator, into: &seq)
        case .living: append(living[p.living], separator: separator, into: &seq)
        case .days: number(p.rng.int(1, 14), separator: separator, into: &seq)
        case .disposition: append(p.rng.pick(dispositions), separator: separator, into: &seq)
        case .rr: number(p.rng.int(12, 30), separator: separator, into: &seq)
        case .oxygen: append(p.rng.pick(oxygen), separator: separator, into: &seq)
        case .sodium: number(p.rng.int(125, 148), separator: separator, into: &seq)
        case .potassium: decimal(&p.rng, 30, 58, separator: separator, into: &seq)
        case .wbc: decimal(&p.rng, 30, 250, separator: separator, into: &seq)
        case .service: append(p.rng.pick(services), separator: separator, into: &seq)
        case .accession:
            number(n.year % 100, digits: 2, separator: dash, into: &seq)
            number(p.rng.int(10_000, 99_999), separator: separator, into: &seq)
        }
    }

    private func condition(_ reference: Int) -> [Item] {
        if reference >= 2000 { return rarePhrases[reference - 2000] }
        if reference >= 1000 { return sensitivePhrases[reference - 1000] }
        return histories[reference]
    }

    // MARK: - Generations

    func novel(_ rng: inout SynthRNG, count: Int, fromStart: Bool, into seq: inout TokenSeq) {
        guard count > 0 else { return }
        let skip = fromStart ? 0 : rng.int(4, 40)
        var p = patient(&rng, rare: [])
        p.rng = SynthRNG(seed: rng.next(), stream: SynthStream.generation, index: 1)
        var noHits: [TemplateHit] = []
        var scratch = TokenSeq()
        while scratch.count < skip + count {
            note(&p, paragraphs: false, into: &scratch, hits: &noHits)
        }
        seq.append(scratch, skip ..< skip + count)
    }

    func substitute(_ rng: inout SynthRNG, _ token: UInt64, _ meta: UInt8) -> (UInt64, UInt8) {
        if token & TextModel.numberFlag != 0 {
            let digits = Int(token >> 56 & 0x7F)
            var limit: UInt64 = 1
            for _ in 0 ..< min(digits, 18) { limit *= 10 }
            for _ in 0 ..< 64 {
                let value = UInt64(rng.below(Int(limit)))
                let candidate = TextModel.number(value, digits: digits)
                if candidate != token { return (candidate, meta) }
            }
        }
        for _ in 0 ..< 64 {
            let candidate = rng.pick(fillers)
            if candidate != token { return (candidate, meta & 63) }
        }
        return (token == fillers[0] ? fillers[1] : fillers[0], meta & 63)
    }

    func insertion(_ rng: inout SynthRNG) -> (UInt64, UInt8) { (rng.pick(fillers), space) }

    func filler(_ rng: inout SynthRNG, avoiding guard: TokenGuard) -> (UInt64, UInt8) {
        for _ in 0 ..< 64 {
            let token = rng.pick(fillers)
            if !`guard`.forbids(token, self) { return (token, space) }
        }
        for token in fillers where !`guard`.forbids(token, self) { return (token, space) }
        preconditionFailure("no filler word satisfies the guard")
    }

    func canNeighborTemplate(_ token: UInt64, before: Bool) -> Bool { false }

    func templateGuards(_ t: Int) -> (before: TokenGuard, after: TokenGuard) {
        (TokenGuard(token: paragraphBefore[t]), TokenGuard(token: paragraphAfter[t]))
    }

    @inline(__always)
    func flags(_ token: UInt64) -> UInt8 {
        token & TextModel.numberFlag != 0 ? 0 : wordFlags[Int(token)]
    }

    /// Moves the window to whole sentences when one starts (ends) within a few tokens.
    func snap(_ seq: TokenSeq, start: Int, end: Int, lo: Int, hi: Int) -> (Int, Int) {
        var s = start, e = end
        var i = start
        while i > max(lo, start - 12) {
            if separatorEndsSentence[Int(seq.meta[i - 1] & 63)] { break }
            i -= 1
        }
        if i == lo || (i > lo && separatorEndsSentence[Int(seq.meta[i - 1] & 63)]) { s = i }
        var j = end
        while j < min(hi, end + 12) {
            if separatorEndsSentence[Int(seq.meta[j - 1] & 63)] { break }
            j += 1
        }
        if j <= hi && j > s && separatorEndsSentence[Int(seq.meta[j - 1] & 63)] { e = j }
        return (s, e)
    }

    func writeContent(_ seq: TokenSeq, _ out: SynthBytes) {
        out.ascii("\"text\":\"")
        let n = seq.count
        wordBytes.withUnsafeBufferPointer { lower in
            displayBytes.withUnsafeBufferPointer { display in
                for i in 0 ..< n {
                    let token = seq.tokens[i]
                    let meta = seq.meta[i]
                    if token & TextModel.numberFlag != 0 {
                        out.decimal(width: Int(token >> 56 & 0x7F), token & 0x00FF_FFFF_FFFF_FFFF)
                    } else {
                        let id = Int(token)
                        let style = meta >> 6
                        if style == 3 {
                            let start = id == 0 ? 0 : Int(displayEnds[id - 1])
                            out.append(display.baseAddress! + start, Int(displayEnds[id]) - start)
                        } else {
                            let start = id == 0 ? 0 : Int(wordEnds[id - 1])
                            let length = Int(wordEnds[id]) - start
                            let from = out.count
                            out.append(lower.baseAddress! + start, length)
                            if style != 0 {
                                let upto = style == 1 ? 1 : length
                                for k in 0 ..< upto {
                                    let c = out.base[from + k]
                                    if c >= 0x61 && c <= 0x7A { out.base[from + k] = c - 32 }
                                }
                            }
                        }
                    }
                    let separator = Int(meta & 63)
                    let bytes = i == n - 1 ? separatorTrimmedJSON[separator] : separatorJSON[separator]
                    bytes.withUnsafeBufferPointer { out.append($0.baseAddress!, $0.count) }
                }
            }
        }
        out.byte(UInt8(ascii: "\""))
    }

    func characters(_ token: UInt64, _ meta: UInt8) -> Int {
        let length: Int
        if token & TextModel.numberFlag != 0 {
            length = Int(token >> 56 & 0x7F)
        } else {
            let id = Int(token)
            length = Int(wordEnds[id]) - (id == 0 ? 0 : Int(wordEnds[id - 1]))
        }
        return length + separatorCharacters[Int(meta & 63)]
    }

    /// Characters of the token itself (without its separator).
    func tokenCharacters(_ token: UInt64) -> Int {
        if token & TextModel.numberFlag != 0 { return Int(token >> 56 & 0x7F) }
        let id = Int(token)
        return Int(wordEnds[id]) - (id == 0 ? 0 : Int(wordEnds[id - 1]))
    }
}
