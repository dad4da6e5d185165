import Testing
@testable import MemscanCore

/// The built-in sensitive-category lists (§4: "The project ships default lists for ICD-9 and
/// ICD-10 with their sources cited").
@Suite struct SensitiveListTests {
    static let categoryOrder = ["infectious_disease", "substance_use", "mental_health", "reproductive_health", "pregnancy", "genetic"]

    private func list(_ name: String) throws -> SensitiveCategories {
        let text = try #require(DefaultSensitiveLists.text(named: name))
        return try SensitiveCategories(text: text, source: name)
    }

    /// Categories of a single token.
    private func categories(_ list: SensitiveCategories, _ token: String) -> [String] {
        list.categories(in: TokenList([token]), range: 0 ..< 1)
    }

    @Test func everyBuiltInListParses() throws {
        #expect(DefaultSensitiveLists.names == ["icd10", "icd9", "text", "default"])
        for name in DefaultSensitiveLists.names {
            let parsed = try list(name)
            #expect(parsed.names == Self.categoryOrder, "\(name): \(parsed.names)")
        }
        #expect(DefaultSensitiveLists.text(named: "icd11") == nil)
        #expect(DefaultSensitiveLists.text(named: "") == nil)
    }

    @Test func listsCiteSourcesAndDisclaim() throws {
        for name in DefaultSensitiveLists.names {
            let text = try #require(DefaultSensitiveLists.text(named: name))
            #expect(text.contains("not legal advice"), "\(name)")
            #expect(text.contains("Sources"), "\(name)")
        }
        #expect(DefaultSensitiveLists.text(named: "icd10")!.contains("42 CFR Part 2"))
        #expect(DefaultSensitiveLists.text(named: "icd10")!.contains("F01-F99"))
        #expect(DefaultSensitiveLists.text(named: "icd9")!.contains("290-319"))
        let all = DefaultSensitiveLists.text(named: "default")!
        for part in ["icd10", "icd9", "text"] {
            #expect(all.contains(DefaultSensitiveLists.text(named: part)!))
        }
    }

    @Test func representativeCodesMapToTheirCategories() throws {
        let all = try list("default")
        let expected: [(String, [String])] = [
            ("DIAGNOSIS//B20", ["infectious_disease"]),
            ("DIAGNOSIS//F11.20", ["substance_use"]),
            ("DIAGNOSIS//F32.9", ["mental_health"]),
            ("DIAGNOSIS//I10", []),
            ("DIAGNOSIS//042", ["infectious_disease"]),
            ("hiv", ["infectious_disease"]),
        ]
        for (token, categories) in expected {
            #expect(self.categories(all, token) == categories, "\(token)")
        }
    }

    @Test func icd10CodeFormsAndRanges() throws {
        let icd10 = try list("icd10")
        let expected: [(String, [String])] = [
            // Prefix and dot variants of one code.
            ("F11.20", ["substance_use"]),
            ("F1120", ["substance_use"]),
            ("DIAGNOSIS//F1120", ["substance_use"]),
            ("DIAGNOSIS//ICD10CM//F1120", ["substance_use"]),
            ("ICD10CM//F11.20", ["substance_use"]),
            ("ICD10CM/F11.20", ["substance_use"]),
            ("HOSPITAL_DIAGNOSIS//F11.20", ["substance_use"]),
            ("DIAGNOSIS//ICD//10//F11.20", ["substance_use"]),
            ("diagnosis//F10.20", ["substance_use"]),
            // HIV and the other infectious groups.
            ("DIAGNOSIS//Z21", ["infectious_disease"]),
            ("DIAGNOSIS//R75", ["infectious_disease"]),
            ("DIAGNOSIS//O98.711", ["infectious_disease", "pregnancy"]),
            ("DIAGNOSIS//B18.2", ["infectious_disease"]),
            ("DIAGNOSIS//B15.9", []),  // hepatitis A is not in B16-B19
            ("DIAGNOSIS//A53.9", ["infectious_disease"]),
            ("DIAGNOSIS//A56.19", ["infectious_disease"]),
            ("DIAGNOSIS//A65", []),
            ("DIAGNOSIS//A15.0", ["infectious_disease"]),
            // Substance use without tobacco.
            ("DIAGNOSIS//F17.210", []),
            ("DIAGNOSIS//F19.10", ["substance_use"]),
            ("DIAGNOSIS//Z71.41", ["substance_use"]),
            ("DIAGNOSIS//Z71.51", ["substance_use"]),
            ("DIAGNOSIS//Z71.6", []),
            // Mental health and self-harm.
            ("DIAGNOSIS//F20.9", ["mental_health"]),
            ("DIAGNOSIS//F41.9", ["mental_health"]),
            ("DIAGNOSIS//F03.90", []),
            ("DIAGNOSIS//R45.851", ["mental_health"]),
            ("DIAGNOSIS//T14.91XA", ["mental_health"]),
            ("DIAGNOSIS//X78.9XXA", ["mental_health"]),
            ("DIAGNOSIS//T42.4X2A", ["mental_health"]),
            ("DIAGNOSIS//T42.4X1A", []),  // accidental poisoning
            ("DIAGNOSIS//T40.412A", ["mental_health"]),
            // Reproductive health, pregnancy, genetics.
            ("DIAGNOSIS//Z33.2", ["reproductive_health", "pregnancy"]),
            ("DIAGNOSIS//O04.89", ["reproductive_health", "pregnancy"]),
            ("DIAGNOSIS//N97.9", ["reproductive_health"]),
            ("DIAGNOSIS//Z30.011", ["reproductive_health"]),
            ("DIAGNOSIS//O80", ["pregnancy"]),
            ("DIAGNOSIS//O9A.211", ["pregnancy"]),
            ("DIAGNOSIS//Z3A.32", ["pregnancy"]),
            ("DIAGNOSIS//Z15.01", ["genetic"]),
            // Not sensitive, and not diagnoses.
            ("DIAGNOSIS//I10", []),
            ("DIAGNOSIS//E11.9", []),
            ("DIAGNOSIS//B20.0", ["infectious_disease"]),  // WHO ICD-10 subdivides B20-B24
            ("DIAGNOSIS//B24", ["infectious_disease"]),
            ("DIAGNOSIS//B25.9", []),
            ("PROCEDURE//B2010ZZ", []),
            ("PROCEDURE//F13Z0ZZ", []),
            ("ICD10PCS//F13Z0ZZ", []),
            ("MEDICATION//F11", []),
            ("LAB//B20", []),
            ("F11.20XXXX", []),  // longer than any ICD-10-CM code
            ("XF11.20", []),
        ]
        for (token, categories) in expected {
            #expect(self.categories(icd10, token) == categories, "\(token)")
        }
    }

    @Test func icd9CodeFormsAndRanges() throws {
        let icd9 = try list("icd9")
        let expected: [(String, [String])] = [
            ("042", ["infectious_disease"]),
            ("DIAGNOSIS//042", ["infectious_disease"]),
            ("DIAGNOSIS//ICD//9//042", ["infectious_disease"]),
            ("ICD9CM//042", ["infectious_disease"]),
            ("ICD9CM/042", ["infectious_disease"]),
            ("ICD-9-CM//042", ["infectious_disease"]),
            ("dx:042", ["infectious_disease"]),
            ("PROCEDURE//ICD//9//0420", []),
            ("DIAGNOSIS//V08", ["infectious_disease"]),
            ("DIAGNOSIS//079.53", ["infectious_disease"]),
            ("DIAGNOSIS//07053", ["infectious_disease"]),
            ("DIAGNOSIS//0970", ["infectious_disease"]),
            ("DIAGNOSIS//0115", ["infectious_disease"]),
            ("DIAGNOSIS//0030", []),  // salmonella
            ("DIAGNOSIS//30500", ["substance_use"]),
            ("DIAGNOSIS//305.00", ["substance_use"]),
            ("DIAGNOSIS//3051", []),  // tobacco use disorder
            ("DIAGNOSIS//305.1", []),
            ("DIAGNOSIS//30390", ["substance_use"]),
            ("DIAGNOSIS//2912", ["substance_use"]),
            ("DIAGNOSIS//29570", ["mental_health"]),
            ("DIAGNOSIS//311", ["mental_health"]),
            ("DIAGNOSIS//2900", []),  // senile dementia (organic)
            ("DIAGNOSIS//E9503", ["mental_health"]),
            ("DIAGNOSIS//V62.84", ["mental_health"]),
            ("DIAGNOSIS//6351", ["reproductive_health", "pregnancy"]),
            ("DIAGNOSIS//V25.01", ["reproductive_health"]),
            ("DIAGNOSIS//6289", ["reproductive_health"]),
            ("DIAGNOSIS//650", ["pregnancy"]),
            ("DIAGNOSIS//V22.2", ["pregnancy"]),
            ("DIAGNOSIS//V84.01", ["genetic"]),
            ("DIAGNOSIS//4019", []),
            // Numeric tokens that are not diagnoses must not look like ICD-9 codes.
            ("TIME//300", []),
            ("AGE//042", []),
            ("LAB//50912//311", []),
            // ICD-10 external-cause codes that share an ICD-9 V-code stem.
            ("DIAGNOSIS//V08.9XXA", []),
            ("DIAGNOSIS//V25.0XXA", []),
        ]
        for (token, categories) in expected {
            #expect(self.categories(icd9, token) == categories, "\(token)")
        }
    }

    @Test func textWords() throws {
        let text = try list("text")
        let expected: [(String, [String])] = [
            ("hiv", ["infectious_disease"]),
            ("syphilis", ["infectious_disease"]),
            ("buprenorphine", ["substance_use"]),
            ("opioids", ["substance_use"]),
            ("schizophrenia", ["mental_health"]),
            ("suicidal", ["mental_health"]),
            ("abortion", ["reproductive_health"]),
            ("pregnant", ["pregnancy"]),
            ("brca1", ["genetic"]),
            ("shiv", []),
            ("hivx", []),
            ("HIV", []),  // text tokens are case-folded before matching
            ("patient", []),
        ]
        for (token, categories) in expected {
            #expect(self.categories(text, token) == categories, "\(token)")
        }
    }

    @Test func spanCategoriesUnionOverTokensInRange() throws {
        let all = try list("default")
        let tokens = TokenList(["AGE//53", "DIAGNOSIS//B20", "DIAGNOSIS//I10", "DIAGNOSIS//F32.9", "TIME//3", "DIAGNOSIS//F11.20"])
        #expect(all.categories(in: tokens, range: 0 ..< 6) == ["infectious_disease", "substance_use", "mental_health"])
        #expect(all.categories(in: tokens, range: 2 ..< 5) == ["mental_health"])
        #expect(all.categories(in: tokens, range: 4 ..< 5) == [])
    }
}
