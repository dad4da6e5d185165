#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Codes-mode content model: MEDS-style patient timelines.
///
/// A record is `GENDER//F RACE//WHITE AGE//61`, then hospital stays separated by `TIME//<days>`
/// gaps (with `AGE//n` again when a year has passed). A stay is `ADMISSION//<type>`, labs (or the
/// shared admission panel), the patient's chronic diagnoses plus acute ones, order sets when a
/// diagnosis calls for them, medications (chronic treatments recur at every stay), further
/// hospital days (`TIME//1`, labs, procedures, medications) and `DISCHARGE//<type>`.
struct CodesModel: SynthModel {
    enum Kind: UInt8 {
        case gender, race, age, admission, discharge, diagnosis, lab, medication, procedure, time
    }

    let population: SynthPopulation
    // Vocabulary: token id -> string, pre-encoded JSON bytes and kind.
    let strings: [String]
    let json: [UInt8]
    let jsonEnds: [Int32]
    let kinds: [UInt8]
    let tokenFlags: [UInt8]
    let maxJSONLength: Int

    let genders: [UInt64]
    let raceIDs: [UInt64]
    let raceTable: AliasTable
    let ageBase: UInt64
    static let maxAge = 120
    let admissionIDs: [UInt64]
    let admissionTable: AliasTable
    let dischargeIDs: [UInt64]
    let dischargeTable: AliasTable
    let timeIDs: [UInt64]
    let timeDays: [Int]
    let timeTable: AliasTable
    let timeOneDay: UInt64

    let diagnosisIDs: [UInt64]
    let diagnosisTable: AliasTable
    /// Per common diagnosis: 1 female only, 2 male only.
    let diagnosisSex: [UInt8]
    let sensitiveIDs: [UInt64]
    let sensitivePrevalence: [Double]
    let rareIDs: [UInt64]
    /// Token id -> medication token ids (chronic treatment of a diagnosis; empty otherwise).
    let treatments: [[UInt64]]
    /// Token id -> order sets its diagnosis calls for (bit t: template t).
    let orderSets: [UInt8]

    let medicationIDs: [UInt64]
    let medicationTable: AliasTable
    let procedureIDs: [UInt64]
    let procedureTable: AliasTable
    let labItemCount: Int
    let labBase: UInt64
    let labTable: AliasTable

    let templates: [TokenSeq]
    let templateNames: [String]

    var hasCharacterOffsets: Bool { false }

    init(population: SynthPopulation) {
        self.population = population
        var strings: [String] = []
        var kinds: [UInt8] = []
        var ids: [String: UInt64] = [:]
        func add(_ token: String, _ kind: Kind) -> UInt64 {
            if let id = ids[token] { return id }
            let id = UInt64(strings.count)
            strings.append(token)
            kinds.append(kind.rawValue)
            ids[token] = id
            return id
        }
        genders = [add("GENDER//F", .gender), add("GENDER//M", .gender)]
        raceIDs = CodesLists.races.map { add("RACE//\($0.0)", .race) }
        raceTable = AliasTable(weights: CodesLists.races.map(\.1))
        ageBase = UInt64(strings.count)
        for age in 0 ... CodesModel.maxAge { _ = add("AGE//\(age)", .age) }
        admissionIDs = CodesLists.admissionTypes.map { add("ADMISSION//\($0.0)", .admission) }
        admissionTable = AliasTable(weights: CodesLists.admissionTypes.map(\.1))
        dischargeIDs = CodesLists.dischargeTypes.map { add("DISCHARGE//\($0.0)", .discharge) }
        dischargeTable = AliasTable(weights: CodesLists.dischargeTypes.map(\.1))
        timeIDs = CodesLists.timeGaps.map { add("TIME//\($0)", .time) }
        timeDays = CodesLists.timeGaps
        timeTable = AliasTable(weights: CodesLists.timeGapWeights)
        timeOneDay = timeIDs[0]

        diagnosisIDs = CodesLists.commonDiagnoses.map { add("DIAGNOSIS//\($0)", .diagnosis) }
        diagnosisTable = AliasTable(zipf: diagnosisIDs.count, exponent: 1.07)
        diagnosisSex = CodesLists.commonDiagnoses.map {
            CodesLists.femaleOnly.contains($0) ? 1 : CodesLists.maleOnly.contains($0) ? 2 : 0
        }
        sensitiveIDs = CodesLists.sensitive.map { add("DIAGNOSIS//\($0.code)", .diagnosis) }
        sensitivePrevalence = CodesLists.sensitive.map(\.prevalence)
        rareIDs = CodesLists.rare.map { add("DIAGNOSIS//\($0.code)", .diagnosis) }

        medicationIDs = CodesLists.medications.map { add("MEDICATION//\($0)", .medication) }
        medicationTable = AliasTable(zipf: medicationIDs.count, exponent: 0.9)
        var treatmentMap: [UInt64: [UInt64]] = [:]
        for (code, meds) in CodesLists.conditionMedications.sorted(by: { $0.key < $1.key }) {
            treatmentMap[ids["DIAGNOSIS//\(code)"]!] = meds.map { add("MEDICATION//\($0)", .medication) }
        }
        for (i, entry) in CodesLists.sensitive.enumerated() {
            treatmentMap[sensitiveIDs[i]] = entry.medications.map { add("MEDICATION//\($0)", .medication) }
        }
        for (i, entry) in CodesLists.rare.enumerated() {
            treatmentMap[rareIDs[i]] = entry.medications.map { add("MEDICATION//\($0)", .medication) }
        }
        var orderSetMap: [UInt64: UInt8] = [:]
        for (bit, codes) in [(1, ["A41.9", "A41.51", "A41.01", "R65.20"]), (2, ["I21.4", "I25.10", "R07.9"]),
                             (3, ["E10.10", "E11.10"])] {
            for code in codes { orderSetMap[ids["DIAGNOSIS//\(code)"]!, default: 0] |= 1 << UInt8(bit) }
        }

        procedureIDs = CodesLists.procedures.map { add("PROCEDURE//\($0)", .procedure) }
        procedureTable = AliasTable(zipf: procedureIDs.count, exponent: 1.0)
        labItemCount = CodesLists.labItems.count
        labBase = UInt64(strings.count)
        for item in CodesLists.labItems {
            for bin in CodesLists.labBins { _ = add("LAB//\(item)//\(bin)", .lab) }
        }
        labTable = AliasTable(zipf: labItemCount, exponent: 0.6)

        var templates: [TokenSeq] = []
        for template in CodesLists.templates {
            var seq = TokenSeq()
            for token in template.tokens {
                guard let id = ids[token] else { preconditionFailure("template token \(token) not in vocabulary") }
                seq.append(id)
            }
            templates.append(seq)
        }
        self.templates = templates
        templateNames = CodesLists.templates.map(\.name)

        treatments = (0 ..< strings.count).map { treatmentMap[UInt64($0)] ?? [] }
        orderSets = (0 ..< strings.count).map { orderSetMap[UInt64($0)] ?? 0 }
        var flags = [UInt8](repeating: 0, count: strings.count)
        for id in sensitiveIDs { flags[Int(id)] |= TokenFlags.sensitive }
        for id in rareIDs { flags[Int(id)] |= TokenFlags.rare }
        tokenFlags = flags

        var json: [UInt8] = []
        var ends: [Int32] = []
        var longest = 0
        for token in strings {
            let out = SynthBytes(capacity: 64)
            out.jsonString(token)
            json.append(contentsOf: UnsafeBufferPointer(start: out.base, count: out.count))
            ends.append(Int32(json.count))
            longest = max(longest, out.count)
        }
        self.strings = strings
        self.kinds = kinds
        self.json = json
        jsonEnds = ends
        maxJSONLength = longest
    }

    func string(_ token: UInt64) -> String { strings[Int(token)] }

    @inline(__always)
    func kind(_ token: UInt64) -> Kind { Kind(rawValue: kinds[Int(token)])! }

    // MARK: - Patients

    /// What stays constant across a patient's stays: the repetition that makes a record
    /// recognisable, and what a memorizing model reproduces.
    struct Patient {
        var rng: SynthRNG
        var female: Bool
        var race: UInt64
        var age: Int
        var chronic: [UInt64]
        var medications: [UInt64]
        var abnormalItems: (Int, Int, Int)
        var abnormalBins: (Int, Int, Int)
        var length: Int
        var special: Bool
    }

    /// Demographics and conditions; `rare` are catalog indices held by this patient.
    func patient(_ rng: inout SynthRNG, rare: [Int]) -> Patient {
        let female = rng.below(2) == 0
        let race = raceIDs[raceTable.draw(&rng)]
        let age = min(90, max(18, Int(61 + 17 * rng.gaussian())))
        var chronic: [UInt64] = []
        for (i, prevalence) in sensitivePrevalence.enumerated() where rng.chance(prevalence) {
            chronic.append(sensitiveIDs[i])
        }
        for condition in rare { chronic.append(rareIDs[condition]) }
        let special = !chronic.isEmpty
        let count = rng.int(1, 4)
        for _ in 0 ..< count { chronic.append(drawDiagnosis(&rng, female: female, exclude: chronic)) }
        var medications: [UInt64] = []
        for code in chronic {
            for med in treatments[Int(code)] where !medications.contains(med) { medications.append(med) }
        }
        let a = rng.below(labItemCount), b = rng.below(labItemCount), c = rng.below(labItemCount)
        let bins = (rng.below(2) * 2, rng.below(2) * 2, rng.below(2) * 2)  // Low or High
        // Lengths: lognormal around 250 tokens, 60 to 8000 (mean about 430).
        let length = min(8000, 60 + Int(250 * exp(0.9 * rng.gaussian())))
        return Patient(rng: rng, female: female, race: race, age: age, chronic: chronic, medications: medications,
                       abnormalItems: (a, b, c), abnormalBins: bins, length: length, special: special)
    }

    func isSpecial(_ key: PatientKey) -> Bool {
        var rng = population.patientRNG(key)
        return patient(&rng, rare: population.rareConditions(key)).special
    }

    @inline(__always)
    private func drawDiagnosis(_ rng: inout SynthRNG, female: Bool, exclude: [UInt64]) -> UInt64 {
        while true {
            let rank = diagnosisTable.draw(&rng)
            let sex = diagnosisSex[rank]
            if sex == (female ? 2 : 1) { continue }
            let code = diagnosisIDs[rank]
            if exclude.contains(code) { continue }
            return code
        }
    }

    func record(_ key: PatientKey, limit: Int, into seq: inout TokenSeq, hits: inout [TemplateHit]) {
        seq.removeAll()
        hits.removeAll(keepingCapacity: true)
        var rng = population.patientRNG(key)
        var p = patient(&rng, rare: population.rareConditions(key))
        let target = min(p.length, limit)
        timeline(&p, target: target, templates: true, into: &seq, hits: &hits)
        seq.truncate(to: target)
        if !hits.isEmpty {
            hits.removeAll { $0.position + templates[$0.template].count > seq.count }
        }
    }

    private func timeline(_ p: inout Patient, target: Int, templates: Bool, into seq: inout TokenSeq,
                          hits: inout [TemplateHit]) {
        let start = seq.count
        seq.append(genders[p.female ? 0 : 1])
        seq.append(p.race)
        seq.append(ageBase + UInt64(p.age))
        var days = 0
        var first = true
        while seq.count - start < target {
            if !first {
                let gap = timeTable.draw(&p.rng)
                seq.append(timeIDs[gap])
                days += timeDays[gap]
                if days >= 365 {
                    p.age = min(CodesModel.maxAge, p.age + days / 365)
                    days %= 365
                    seq.append(ageBase + UInt64(p.age))
                }
            }
            first = false
            stay(&p, templates: templates, into: &seq, hits: &hits)
        }
    }

    /// One hospital stay in MEDS-like event order.
    private func stay(_ p: inout Patient, templates: Bool, into seq: inout TokenSeq, hits: inout [TemplateHit]) {
        seq.append(admissionIDs[admissionTable.draw(&p.rng)])
        if templates && p.rng.chance(0.05) {
            insertTemplate(0, into: &seq, hits: &hits)
        } else {
            labs(&p, p.rng.int(3, 10), into: &seq)
        }
        var diagnoses = p.chronic
        let acute = p.rng.int(1, 4)
        for _ in 0 ..< acute { diagnoses.append(drawDiagnosis(&p.rng, female: p.female, exclude: diagnoses)) }
        var called: UInt8 = 0
        for code in diagnoses {
            seq.append(code)
            called |= orderSets[Int(code)]
        }
        if templates {
            if p.rng.chance(called & 2 != 0 ? 0.5 : 0.01) { insertTemplate(1, into: &seq, hits: &hits) }
            if p.rng.chance(called & 4 != 0 ? 0.4 : 0.01) { insertTemplate(2, into: &seq, hits: &hits) }
            if p.rng.chance(called & 8 != 0 ? 0.6 : 0.005) { insertTemplate(3, into: &seq, hits: &hits) }
        }
        var meds = p.medications
        let extra = p.rng.int(2, 6)
        for _ in 0 ..< extra {
            let med = medicationIDs[medicationTable.draw(&p.rng)]
            if !meds.contains(med) { meds.append(med) }
        }
        for med in meds { seq.append(med) }
        let hospitalDays = p.rng.int(0, 3)
        for _ in 0 ..< hospitalDays {
            seq.append(timeOneDay)
            labs(&p, p.rng.int(2, 6), into: &seq)
            if p.rng.chance(0.4) { seq.append(procedureIDs[procedureTable.draw(&p.rng)]) }
            if p.rng.chance(0.5) { seq.append(medicationIDs[medicationTable.draw(&p.rng)]) }
        }
        seq.append(dischargeIDs[dischargeTable.draw(&p.rng)])
    }

    private func insertTemplate(_ t: Int, into seq: inout TokenSeq, hits: inout [TemplateHit]) {
        hits.append(TemplateHit(template: t, position: seq.count))
        seq.append(templates[t])
    }

    /// n distinct labs in random order; each patient has a few characteristic abnormal results.
    private func labs(_ p: inout Patient, _ n: Int, into seq: inout TokenSeq) {
        var seen: UInt64 = 0
        for _ in 0 ..< n {
            let item = labTable.draw(&p.rng)
            if seen & (1 << UInt64(item)) != 0 { continue }
            seen |= 1 << UInt64(item)
            seq.append(labToken(&p, item))
        }
    }

    @inline(__always)
    private func labToken(_ p: inout Patient, _ item: Int) -> UInt64 {
        var bin: Int
        let r = p.rng.next()
        if item == p.abnormalItems.0 && r & 0xFF < 180 {
            bin = p.abnormalBins.0
        } else if item == p.abnormalItems.1 && r & 0xFF < 180 {
            bin = p.abnormalBins.1
        } else if item == p.abnormalItems.2 && r & 0xFF < 180 {
            bin = p.abnormalBins.2
        } else {
            let u = (r >> 8) % 100
            bin = u < 15 ? 0 : u < 80 ? 1 : 2
        }
        return labBase + UInt64(item * 3 + bin)
    }

    // MARK: - Generations

    func novel(_ rng: inout SynthRNG, count: Int, fromStart: Bool, into seq: inout TokenSeq) {
        guard count > 0 else { return }
        let begin = seq.count
        let skip = fromStart ? 0 : rng.int(3, 12)
        var p = patient(&rng, rare: [])
        p.rng = SynthRNG(seed: rng.next(), stream: SynthStream.generation, index: 0)
        var noHits: [TemplateHit] = []
        timeline(&p, target: count + skip, templates: false, into: &seq, hits: &noHits)
        seq.removeSubrange(begin ..< begin + skip)
        seq.truncate(to: begin + count)
    }

    func substitute(_ rng: inout SynthRNG, _ token: UInt64, _ meta: UInt8) -> (UInt64, UInt8) {
        for _ in 0 ..< 64 {
            let candidate: UInt64
            switch kind(token) {
            case .lab: candidate = token - (token - labBase) % 3 + UInt64(rng.below(3))
            case .diagnosis: candidate = diagnosisIDs[diagnosisTable.draw(&rng)]
            case .medication: candidate = medicationIDs[medicationTable.draw(&rng)]
            case .procedure: candidate = procedureIDs[procedureTable.draw(&rng)]
            case .time: candidate = timeIDs[timeTable.draw(&rng)]
            default: candidate = insertion(&rng).0
            }
            if candidate != token { return (candidate, 0) }
        }
        return (token == timeOneDay ? timeIDs[1] : timeOneDay, 0)
    }

    func insertion(_ rng: inout SynthRNG) -> (UInt64, UInt8) {
        let r = rng.below(10)
        switch r {
        case 0 ..< 5:
            return (labBase + UInt64(labTable.draw(&rng) * 3 + rng.below(3)), 0)
        case 5, 6: return (medicationIDs[medicationTable.draw(&rng)], 0)
        case 7, 8: return (diagnosisIDs[diagnosisTable.draw(&rng)], 0)
        default: return (procedureIDs[procedureTable.draw(&rng)], 0)
        }
    }

    /// A procedure or time gap: never adjacent to a shared template in a record.
    func filler(_ rng: inout SynthRNG, avoiding guard: TokenGuard) -> (UInt64, UInt8) {
        for _ in 0 ..< 64 {
            let token = rng.below(2) == 0 ? procedureIDs[procedureTable.draw(&rng)] : timeIDs[timeTable.draw(&rng)]
            if !`guard`.forbids(token, self) { return (token, 0) }
        }
        for token in timeIDs + procedureIDs where !`guard`.forbids(token, self) { return (token, 0) }
        preconditionFailure("no filler token satisfies the guard")
    }

    /// Templates follow ADMISSION (panel), a diagnosis or another order set (bundles) and are
    /// followed by diagnoses, labs or medications; TIME, PROCEDURE and the rest never touch one.
    func canNeighborTemplate(_ token: UInt64, before: Bool) -> Bool {
        switch kind(token) {
        case .diagnosis, .lab, .medication: return true
        case .admission: return before
        default: return false
        }
    }

    func templateGuards(_ t: Int) -> (before: TokenGuard, after: TokenGuard) {
        var before = TokenGuard(), after = TokenGuard()
        before.templatePredecessors = true
        after.templateSuccessors = true
        return (before, after)
    }

    @inline(__always)
    func flags(_ token: UInt64) -> UInt8 { tokenFlags[Int(token)] }

    func snap(_ seq: TokenSeq, start: Int, end: Int, lo: Int, hi: Int) -> (Int, Int) { (start, end) }

    func writeContent(_ seq: TokenSeq, _ out: SynthBytes) {
        out.ascii("\"tokens\":[")
        let n = seq.count
        out.reserve(n * (maxJSONLength + 1) + 2)
        json.withUnsafeBufferPointer { bytes in
            jsonEnds.withUnsafeBufferPointer { ends in
                seq.tokens.withUnsafeBufferPointer { tokens in
                    let base = bytes.baseAddress!
                    for i in 0 ..< n {
                        if i > 0 { out.byteUnchecked(UInt8(ascii: ",")) }
                        let id = Int(tokens[i])
                        let start = id == 0 ? 0 : Int(ends[id - 1])
                        out.appendUnchecked(base + start, Int(ends[id]) - start)
                    }
                }
            }
        }
        out.byte(UInt8(ascii: "]"))
    }

    func characters(_ token: UInt64, _ meta: UInt8) -> Int { 0 }
    func tokenCharacters(_ token: UInt64) -> Int { 0 }
}
