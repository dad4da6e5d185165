/// The sensitive-category lists that ship with memscan (§4): `--sensitive icd10`, `icd9`,
/// `text`, or `default` (all three). Each is the text of a categories file in the format
/// `SensitiveCategories(text:source:)` parses, so a user can print one, edit it and pass the
/// edited file instead.
///
/// Code patterns accept the code bare (`F11.20`), with or without the dot (`F1120`), and
/// behind diagnosis-like prefixes (`DIAGNOSIS//F11.20`, `DIAGNOSIS//ICD10CM//F1120`,
/// `ICD10CM//F11.20`, `DIAGNOSIS//ICD//9//042`, `ICD9CM/042`, `dx:042`). Every prefix segment
/// must name a diagnosis vocabulary (a word such as DIAGNOSIS, DX, CONDITION, PROBLEM, ICD,
/// ICD10CM, or a version segment 9, 10, CM): a bare `(^|//)` prefix would also flag
/// `TIME//300` as an ICD-9 mental-health code or `PROCEDURE//B2010ZZ` (an ICD-10-PCS
/// imaging code) as HIV.
public enum DefaultSensitiveLists {
    /// Names accepted by `--sensitive` in place of a file.
    public static let names = ["icd10", "icd9", "text", "default"]

    /// The text of the built-in list `name`, nil for an unknown name.
    public static func text(named name: String) -> String? {
        switch name {
        case "icd10": return icd10
        case "icd9": return icd9
        case "text": return text
        case "default": return defaultHeader + icd10 + icd9 + text
        default: return nil
        }
    }

    // MARK: - Pattern building blocks

    /// Words that name a diagnosis vocabulary in a token prefix (upper, lower, capitalized).
    private static let prefixWords: String = {
        let words = ["DIAGNOSIS", "DIAGNOSES", "DIAG", "DX", "CONDITION", "CONDITIONS", "PROBLEM", "PROBLEMS",
                     "ICD", "ICD9", "ICD10", "ICD9CM", "ICD10CM"]
        var all: [String] = []
        for word in words {
            all.append(word)
            all.append(word.lowercased())
            all.append(String(word.prefix(1)) + word.dropFirst().lowercased())
        }
        var seen = Set<String>()
        return all.filter { seen.insert($0).inserted }.joined(separator: "|")
    }()

    /// Zero or more prefix segments, each a diagnosis-vocabulary word (possibly inside a
    /// `_`/`-`-joined name such as HOSPITAL_DIAGNOSIS or ICD-10-CM) or a version segment,
    /// followed by `//`, `/` or `:`.
    private static let prefix: String =
        #"^((([A-Za-z0-9]+[_ -])*("# + prefixWords + #")([_ -][A-Za-z0-9]+)*|9|10|CM|cm)[/:]{1,2})*"#

    /// Any ICD-10-CM subdivision: up to four more characters, dot optional.
    private static let sub10 = #"(\.?[0-9A-Z]{1,4})?"#
    /// Any ICD-9-CM subdivision: one or two more digits, dot optional.
    private static let sub9 = #"(\.?[0-9]{1,2})?"#

    /// One categories-file line: `category  ^PREFIX(alternatives)$  # comment`.
    private static func line(_ category: String, _ codes: String, _ comment: String) -> String {
        category + "\t" + prefix + "(" + codes + ")$\t# " + comment + "\n"
    }

    private static func words(_ category: String, _ words: [String], _ comment: String) -> String {
        category + "\t^(" + words.joined(separator: "|") + ")$\t# " + comment + "\n"
    }

    // MARK: - Lists

    private static let disclaimer = """
        # These lists are a starting point for an audit, to be reviewed against your own data
        # use agreement, institutional policy and applicable law. They are not legal advice and
        # do not decide what the law treats as sensitive.
        #
        # Format: `category  POSIX-ERE` per line, matched against every token of a span; a span
        # lists each category one of its tokens matches. Copy a list (memscan's source:
        # Sources/MemscanCore/Scan/DefaultSensitiveLists.swift), edit it and pass the file
        # with --sensitive FILE to adapt it.

        """

    private static let defaultHeader = """
        # memscan built-in list "default": the lists "icd10", "icd9" and "text" together.

        """

    static let icd10: String = {
        var s = """
            # memscan built-in list "icd10": sensitive diagnosis codes, ICD-10-CM.
            #
            # Sources:
            # - ICD-10-CM Tabular List (CDC National Center for Health Statistics / CMS, FY2024),
            #   https://www.cdc.gov/nchs/icd/icd-10-cm/ : Chapter 1 "Certain infectious and
            #   parasitic diseases" (A00-B99): A15-A19 tuberculosis, A50-A64 infections with a
            #   predominantly sexual mode of transmission, B15-B19 viral hepatitis, B20 HIV
            #   disease; Chapter 5 "Mental, Behavioral and Neurodevelopmental disorders"
            #   (F01-F99): F10-F19 disorders due to psychoactive substance use; Chapter 15
            #   "Pregnancy, childbirth and the puerperium" (O00-O9A); Chapter 21 "Factors
            #   influencing health status" (Z21 asymptomatic HIV, Z30 contraception, Z31
            #   procreative management, Z33.2 elective termination, Z14/Z15 genetic carrier and
            #   susceptibility); Chapter 20 X71-X83 intentional self-harm; T36-T65 poisonings
            #   with intent character 2 (intentional self-harm). The WHO ICD-10 (2019) blocks
            #   are the same, with HIV disease at B20-B24.
            # - 42 CFR Part 2 (Confidentiality of Substance Use Disorder Patient Records),
            #   section 2.11: "substance use disorder" excludes tobacco and caffeine, so F17
            #   (nicotine dependence) is left out of substance_use.
            # - HIPAA Privacy Rule (45 CFR 164.501, psychotherapy notes; 164.502(a)(5)(i),
            #   genetic information) and the categories US state laws commonly protect beyond
            #   HIPAA: HIV/AIDS and sexually transmitted infection status, mental health,
            #   substance use, reproductive health (45 CFR 164.502(a)(5)(iii), 2024
            #   reproductive health care rule), genetic testing.
            # - SAMHSA, substance use and co-occurring mental disorders; the AHRQ Clinical
            #   Classifications Software Refined (CCSR) body system "Mental, behavioral and
            #   neurodevelopmental disorders", which like this list keeps F01-F09 (dementia,
            #   delirium: mental disorders due to known physiological conditions) out of
            #   mental health. Add `F0[1-9]` to mental_health if your policy covers them.
            #
            """
        s += disclaimer
        s += line("infectious_disease", "B2[0-4]" + sub10 + #"|Z21|R75|B97\.?35|Z20\.?6|O98\.?7[0-9]{0,2}"#,
                  "HIV: B20 disease (WHO ICD-10: B20-B24), Z21 asymptomatic, R75 inconclusive test, B97.35 HIV-2, Z20.6 exposure, O98.7 in pregnancy")
        s += line("infectious_disease", "B1[6-9]" + sub10 + #"|Z22\.?5[0-9]?|O98\.?4[0-9]{0,2}"#,
                  "viral hepatitis B16-B19 (B, C, chronic, unspecified), Z22.5 carrier, O98.4 in pregnancy")
        s += line("infectious_disease", "A(5[0-9]|6[0-4])" + sub10 + #"|O98\.?[1-3][0-9]{0,2}"#,
                  "sexually transmitted infections A50-A64 (syphilis, gonorrhea, chlamydia, herpes, trichomoniasis), O98.1-O98.3 in pregnancy")
        s += line("infectious_disease", "A1[5-9]" + sub10 + #"|Z22\.?7|R76\.?1[0-9]?|O98\.?0[0-9]{0,2}"#,
                  "tuberculosis A15-A19, Z22.7 latent, R76.1 positive test, O98.0 in pregnancy")
        s += line("substance_use", "F1[0-689]" + sub10,
                  "F10-F19 psychoactive substance use disorders except F17 nicotine (42 CFR 2.11)")
        s += line("substance_use", #"O99\.?3[12][0-9]{0,2}|P04\.?4[0-9]?|P96\.?1|Z71\.?4[0-9]?|Z71\.?5[0-9]?|T40\.?[15][0-9A-Z]{0,3}"#,
                  "alcohol/drug use in pregnancy O99.31-O99.32, newborn exposure P04.4 and withdrawal P96.1, counseling Z71.4/Z71.5, heroin and cocaine poisoning T40.1/T40.5")
        s += line("mental_health", "F[2-9][0-9]" + sub10,
                  "F20-F99: psychotic, mood, anxiety, behavioral, personality, intellectual and developmental, childhood-onset disorders")
        s += line("mental_health", #"R45\.?851|R45\.?88|T14\.?91[0-9A-Z]{0,2}|Z91\.?5[0-9]?|X(7[1-9]|8[0-3])"# + sub10
                  + #"|T(3[6-9]|[45][0-9]|6[0-5])\.?[0-9][0-9X]2[A-Z]?"#,
                  "suicide and self-harm: R45.851 ideation, R45.88 self-harm, T14.91 attempt, Z91.5 history, X71-X83, T36-T65 intentional self-poisoning")
        s += line("reproductive_health", "O0[47]" + sub10 + #"|Z33\.?2"#,
                  "pregnancy termination: O04 induced, O07 failed attempted, Z33.2 elective termination")
        s += line("reproductive_health", "N97" + sub10 + "|N46" + sub10 + "|Z31" + sub10,
                  "infertility N97 (female), N46 (male); Z31 procreative management (IVF)")
        s += line("reproductive_health", "Z30" + sub10 + #"|Z79\.?3|Z97\.?5"#,
                  "contraception: Z30 management, Z79.3 hormonal contraceptives, Z97.5 IUD")
        s += line("pregnancy", "O([0-9][0-9]|9A)" + sub10 + "|Z3[3467A]" + sub10 + "|Z39" + sub10,
                  "Chapter 15 O00-O9A; Z33 pregnant state, Z34 supervision, Z36 antenatal screening, Z37 outcome of delivery, Z3A weeks of gestation, Z39 postpartum")
        s += line("genetic", "Z1[45]" + sub10,
                  "Z14 genetic carrier, Z15 genetic susceptibility (e.g. Z15.01 BRCA, breast cancer)")
        return s + "\n"
    }()

    static let icd9: String = {
        var s = """
            # memscan built-in list "icd9": sensitive diagnosis codes, ICD-9-CM.
            #
            # Sources:
            # - ICD-9-CM Tabular List (CDC National Center for Health Statistics / CMS, final
            #   version FY2014), https://www.cdc.gov/nchs/icd/icd9cm.htm : Chapter 1 (001-139)
            #   010-018 tuberculosis, 042 HIV disease, 070 viral hepatitis, 090-099 syphilis and
            #   other venereal diseases; Chapter 5 "Mental disorders" (290-319): 291, 292 and
            #   303-305 drug and alcohol use disorders, the rest mental health; Chapter 11
            #   (630-679) complications of pregnancy, 635-639 abortion; E950-E959 suicide and
            #   self-inflicted injury; V codes V08 asymptomatic HIV, V25 contraception, V26
            #   procreative management, V62.84 suicidal ideation, V83/V84 genetic carrier and
            #   susceptibility.
            # - 42 CFR Part 2, section 2.11 (tobacco is not a substance use disorder: 305.1
            #   tobacco use disorder is left out); HIPAA and US state-law categories (HIV, STI,
            #   mental health, substance use, reproductive health, genetic information); SAMHSA.
            # - mental_health keeps 290, 293 and 294 (dementias and other organic conditions)
            #   out, as the icd10 list keeps F01-F09 out; add them if your policy covers them.
            #
            """
        s += disclaimer
        s += line("infectious_disease", #"042|V08|079\.?53|795\.?71"#,
                  "HIV: 042 disease, V08 asymptomatic, 079.53 HIV-2, 795.71 nonspecific serologic evidence")
        s += line("infectious_disease", "070" + sub9 + #"|V02\.?6[0-9]?"#,
                  "viral hepatitis 070, V02.6 carrier")
        s += line("infectious_disease", "09[0-9]" + sub9 + #"|647\.?[0-2][0-9]?"#,
                  "syphilis and other venereal diseases 090-099, 647.0-647.2 in pregnancy")
        s += line("infectious_disease", "01[0-8]" + sub9 + #"|647\.?3[0-9]?|795\.?5[0-9]?|V12\.?01"#,
                  "tuberculosis 010-018, 647.3 in pregnancy, 795.5 positive skin test, V12.01 history")
        s += line("substance_use", "29[12]" + sub9 + "|30[34]" + sub9 + #"|305(\.?[02-9][0-9]?)?"#,
                  "291, 292 alcohol/drug-induced mental disorders, 303 alcohol dependence, 304 drug dependence, 305 abuse except 305.1 tobacco")
        s += line("substance_use", #"648\.?3[0-9]?|760\.?7[1235]|779\.?5|V65\.?42|965\.?01|970\.?81"#,
                  "648.3 drug dependence in pregnancy, 760.71-760.75 fetal exposure, 779.5 newborn withdrawal, V65.42 counseling, 965.01 heroin and 970.81 cocaine poisoning")
        s += line("mental_health", "(29[5-9]|30[0-2]|30[6-9]|31[0-9])" + sub9 + #"|648\.?4[0-9]?"#,
                  "295-302, 306-319 (chapter 5 without organic 290-294 and substance 303-305), 648.4 in pregnancy")
        s += line("mental_health", #"E95[0-9](\.?[0-9])?|V62\.?84"#,
                  "E950-E959 suicide and self-inflicted injury, V62.84 suicidal ideation")
        s += line("reproductive_health", "63[5-9]" + sub9,
                  "abortion 635-639: legally and illegally induced, unspecified, failed attempted, complications")
        s += line("reproductive_health", "628" + sub9 + "|606" + sub9 + "|V26" + sub9,
                  "infertility 628 (female), 606 (male); V26 procreative management")
        s += line("reproductive_health", "V25" + sub9 + #"|V45\.?5[0-9]?"#,
                  "contraception: V25 management, V45.5 contraceptive device")
        s += line("pregnancy", "6[3-7][0-9]" + sub9 + "|V2[234]" + sub9 + "|V2[78]" + sub9,
                  "Chapter 11 630-679; V22-V24 normal and high-risk pregnancy, postpartum; V27 outcome of delivery; V28 antenatal screening")
        s += line("genetic", "V8[34]" + sub9,
                  "V83 genetic carrier status, V84 genetic susceptibility to disease")
        return s + "\n"
    }()

    static let text: String = {
        var s = """
            # memscan built-in list "text": words in clinical notes (text tokenizer: NFKC,
            # case-folded runs of letters and digits, so one word per token and no phrases).
            #
            # Sources: the categories of the icd10 and icd9 lists (HIPAA and US state-law
            # sensitive categories, 42 CFR Part 2 substance use disorder records, SAMHSA),
            # named the way notes name them. Words are anchored (^word$). Some are ambiguous in
            # notes ("aids" is also the plural of aid, as in hearing aids; "depression" also
            # names ST depression): review what they flag.
            #
            """
        s += disclaimer
        s += words("infectious_disease", ["hiv", "aids", "antiretroviral", "antiretrovirals", "hepatitis", "hcv", "hbv"],
                   "HIV and viral hepatitis")
        s += words("infectious_disease", ["syphilis", "gonorrhea", "gonorrhoea", "chlamydia", "trichomoniasis", "tuberculosis"],
                   "sexually transmitted infections, tuberculosis")
        s += words("substance_use", ["opioid", "opioids", "opiate", "opiates", "heroin", "methadone", "buprenorphine",
                                     "suboxone", "naltrexone", "cocaine", "methamphetamine", "polysubstance", "ivdu"],
                   "drugs and medications for opioid use disorder")
        s += words("substance_use", ["alcoholism", "alcoholic", "overdose", "overdosed", "detox"],
                   "alcohol use disorder, overdose, detoxification")
        s += words("mental_health", ["schizophrenia", "schizoaffective", "bipolar", "depression", "depressive",
                                     "psychosis", "psychotic", "ptsd", "bulimia"],
                   "psychiatric diagnoses")
        s += words("mental_health", ["suicidal", "suicide", "suicidality"], "suicide")
        s += words("reproductive_health", ["abortion", "miscarriage", "infertility", "ivf", "contraception", "contraceptive"],
                   "pregnancy termination and loss, fertility, contraception")
        s += words("pregnancy", ["pregnant", "pregnancy"], "pregnancy")
        s += words("genetic", ["brca", "brca1", "brca2"], "genetic susceptibility testing")
        return s + "\n"
    }()
}
