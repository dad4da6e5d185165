/// Vocabulary of the codes-mode generator: MEDS-style tokens
/// over ICD-10-CM diagnoses, ICD-10-PCS procedures, MIMIC-style lab items and medications.
enum CodesLists {
    /// Roughly from most to least frequent in inpatient data; a Zipf draw over this order gives
    /// heavy-tailed code frequencies. Mental-health codes are not here: they are drawn at a
    /// controlled prevalence below, as the sensitive conditions they are.
    static let commonDiagnoses = """
        I10 E78.5 E11.9 K21.9 Z87.891 E03.9 N18.3 I25.10 J44.9 I48.91 Z79.4 I50.9 D64.9 E87.1
        N17.9 J18.9 E66.9 G47.33 M19.90 Z95.1 E87.6 N39.0 J96.01 A41.9 R65.20 I21.4 E86.0 D62 K59.00
        G89.29 M54.5 Z79.01 Z86.73 I63.9 E11.65 E11.22 E11.40 E55.9 D50.9 K57.30 K80.20 K85.90 K92.2
        K70.30 K74.60 I95.9 R00.1 R07.9 R55 R50.9 R11.2 R10.9 R41.82 R63.4 F05 G93.41 G40.909 G20
        G30.9 F03.90 I11.0 I13.0 I12.9 I35.0 I34.0 I42.9 I47.1 I49.5 I26.99 I82.409 I70.0 I73.9 I71.4
        J45.909 J84.10 J90 J69.0 J15.9 J20.9 J06.9 J98.11 J96.11 J81.0 J43.9 K29.70 K25.9 K56.60 K63.1
        K65.9 K31.84 K76.0 K72.90 K86.1 N40.0 N20.0 N28.9 N18.4 N18.6 N25.81 N13.30 E83.42 E87.2 E87.0
        E87.70 E83.51 E05.90 E27.40 E21.3 E13.9 E10.9 E10.10 E11.10 E11.21 E16.2 D69.6 D68.9 D72.829
        D61.818 D63.1 D63.0 D70.9 C34.90 C18.9 C50.919 C61 C25.9 C22.0 C67.9 C64.9 C71.9 C79.51 C78.7
        C79.31 C90.00 C91.10 C83.30 C92.00 C85.90 D47.3 M81.0 M10.9 M06.9 M32.9 M35.3 M62.81 M79.7
        M48.06 M47.816 M17.11 M16.11 M86.9 L03.90 L89.154 L97.509 L40.9 L30.9 A04.72 A09 A41.51 A41.01
        B95.62 B96.20 B37.0 A08.4 U07.1 Z20.822 Z99.2 Z99.11 Z93.0 Z94.0 Z94.1 Z96.651 Z96.641 Z79.899
        Z79.02 Z79.52 Z68.41 Z91.81 Z90.49 Z85.3 Z85.46 Z66 Z51.11 Z86.711 Z87.440 Z86.010 Z83.3 Z80.0
        Z72.0 Z59.0 Z63.0 Z73.3 T81.4XXA T84.50XA T85.79XA T50.901A S72.001A S06.0X0A S32.009A S22.49XA
        W19.XXXA Y92.009 G35 G43.909 G62.9 G56.00 G81.90 G45.9 G93.40 G91.9 G61.0 I61.9 I60.9 I62.00
        I67.89 I69.351 H91.90 H35.30 H40.9 H26.9 H54.7 O09.90 O80 Z34.90 O24.419 O13.9 O99.89 Z30.09
        N92.0 N80.9 N83.20 N95.1 R31.9 R33.9 R32 R39.15 R60.0 R06.02 R05.9 R09.02 R19.7 R18.8 R16.0 R17
        R40.20 R51.9 R42 R53.83 R53.1 R64 R29.6 R26.81 E44.0 E43 E46 E53.8 E61.1 E63.9 E85.9 E88.09
        F17.210 G25.81 G47.00 G44.209 I27.20 I31.3 I44.2
        I45.10 I48.0 I48.2 I46.9 I51.7 I87.2 I83.90 I89.0 I77.1 J30.9 J32.9 J47.9 J80 J93.9 J94.8 K22.70
        K20.90 K26.9 K35.80 K40.90 K43.9 K50.90 K51.90 K52.9 K58.9 K62.5 K64.9 K75.4 K83.1 K91.89 N30.00
        N31.9 N32.81 N35.9 N41.0 N43.3 N50.9 N81.2 N94.6
        """.split(whereSeparator: \.isWhitespace).map(String.init)

    static let femaleOnly: Set<String> = ["C50.919", "O09.90", "O80", "Z34.90", "O24.419", "O13.9", "O99.89", "Z30.09",
                                          "N92.0", "N80.9", "N83.20", "N95.1", "N81.2", "N94.6"]
    static let maleOnly: Set<String> = ["C61", "N40.0", "N41.0", "N43.3", "N50.9"]

    /// Sensitive conditions (infectious disease, substance use, mental health) with the share of
    /// patients holding each, and the treatments that go with them (which leak them too).
    static let sensitive: [(code: String, prevalence: Double, medications: [String])] = [
        ("B20", 0.02, ["Dolutegravir", "Emtricitabine-Tenofovir"]),      // HIV disease
        ("B18.2", 0.03, ["Sofosbuvir-Velpatasvir"]),                      // chronic hepatitis C
        ("F11.20", 0.03, ["Buprenorphine-Naloxone", "Methadone"]),        // opioid dependence
        ("F10.20", 0.04, ["Thiamine", "Folic-Acid", "Lorazepam"]),        // alcohol dependence
        ("F32.9", 0.05, ["Sertraline", "Escitalopram"]),                  // major depressive disorder
        ("F41.1", 0.03, ["Buspirone"]),                                   // generalized anxiety disorder
        ("F31.9", 0.01, ["Lithium-Carbonate", "Lamotrigine"]),            // bipolar disorder
        ("F20.9", 0.01, ["Olanzapine", "Risperidone"]),                   // schizophrenia
    ]

    /// Rare conditions: each held by one to three training patients only.
    static let rare: [(code: String, medications: [String])] = [
        ("E75.22", ["Imiglucerase"]),            // Gaucher disease
        ("E84.0", ["Dornase-Alfa", "Ivacaftor"]), // cystic fibrosis with pulmonary manifestations
        ("D66", ["Factor-VIII"]),                // hereditary factor VIII deficiency
        ("Q87.40", ["Losartan"]),                // Marfan syndrome
        ("E83.01", ["Penicillamine", "Zinc-Acetate"]), // Wilson disease
        ("G12.21", ["Riluzole"]),                // amyotrophic lateral sclerosis
        ("E75.21", ["Agalsidase-Beta"]),         // Fabry disease
        ("E74.02", ["Alglucosidase-Alfa"]),      // Pompe disease
        ("E70.0", ["Sapropterin"]),              // phenylketonuria
        ("G10", ["Tetrabenazine"]),              // Huntington disease
        ("G71.01", ["Deflazacort"]),             // Duchenne muscular dystrophy
        ("Q78.0", ["Zoledronic-Acid"]),          // osteogenesis imperfecta
        ("Q85.01", ["Selumetinib"]),             // neurofibromatosis type 1
        ("E80.21", ["Hemin"]),                   // acute intermittent porphyria
        ("D59.5", ["Eculizumab"]),               // paroxysmal nocturnal hemoglobinuria
        ("G11.1", ["Omaveloxolone"]),            // Friedreich ataxia
        ("I78.0", ["Bevacizumab"]),              // hereditary hemorrhagic telangiectasia
        ("E72.11", ["Betaine"]),                 // homocystinuria
        ("E71.0", ["Thiamine"]),                 // maple syrup urine disease
        ("D82.1", ["Immune-Globulin"]),          // DiGeorge syndrome
        ("E85.1", ["Tafamidis"]),                // hereditary amyloidosis
        ("G60.0", ["Gabapentin"]),               // Charcot-Marie-Tooth disease
        ("Q96.9", ["Somatropin"]),               // Turner syndrome
        ("E76.01", ["Laronidase"]),              // Hurler syndrome
    ]

    /// Treatments for common chronic conditions, repeated at every stay.
    static let conditionMedications: [String: [String]] = [
        "E11.9": ["Metformin"], "I10": ["Amlodipine"], "E78.5": ["Atorvastatin"],
        "E03.9": ["Levothyroxine"], "I48.91": ["Apixaban"], "N18.6": ["Sevelamer", "Calcitriol"],
        "I50.9": ["Furosemide", "Carvedilol"], "J44.9": ["Tiotropium"], "K21.9": ["Omeprazole"],
    ]

    static let medications = """
        Heparin Pantoprazole Acetaminophen Sodium-Chloride-0.9% Ondansetron Docusate Senna Furosemide
        Potassium-Chloride Metoprolol Insulin-Lispro Magnesium-Sulfate Enoxaparin Oxycodone Aspirin
        Polyethylene-Glycol Atorvastatin Lisinopril Vancomycin Ceftriaxone Morphine Hydromorphone
        Dextrose-5% Piperacillin-Tazobactam Insulin-Glargine Amlodipine Gabapentin Famotidine Albuterol
        Ipratropium Prednisone Methylprednisolone Levofloxacin Metronidazole Azithromycin Cefepime
        Warfarin Apixaban Clopidogrel Levothyroxine Tamsulosin Trazodone Quetiapine Haloperidol
        Nicotine-Patch Spironolactone Carvedilol Hydralazine Labetalol Nitroglycerin Diltiazem Amiodarone
        Digoxin Allopurinol Calcium-Gluconate Sodium-Bicarbonate Propofol Fentanyl Midazolam
        Norepinephrine Vasopressin Lactulose Rifaximin Bisacodyl Losartan Glipizide Multivitamin
        Ferrous-Sulfate Epoetin-Alfa Tacrolimus Mycophenolate Insulin-Regular Metformin Omeprazole
        Tiotropium Sevelamer Calcitriol
        """.split(whereSeparator: \.isWhitespace).map(String.init)

    static let procedures = """
        02HV33Z 5A1955Z 0BH17EZ 5A1945Z 3E0G76Z 30233N1 0DJ08ZZ 5A1D70Z 0T9B70Z 02703DZ 4A023N7 B2111ZZ
        0W9930Z 0W9G3ZZ 0DB68ZX 30233R1 5A1D90Z 009U3ZX B020ZZZ 0FT44ZZ 0DTJ4ZZ 0SRD0JZ 0SR90JZ 02100Z9
        5A1935Z 0B5C8ZZ 0BJ08ZZ 0DH67UZ 0FC98ZZ 0D9670Z 3E0436Z 3E03305 0JH63VZ 02HK3JZ 5A2204Z 0KQM0ZZ
        0HQ9XZZ 0W3P8ZZ 0D768DZ 0FJD8ZZ
        """.split(whereSeparator: \.isWhitespace).map(String.init)

    /// MIMIC-style lab item ids (50912 creatinine, 51222 hemoglobin, ...), binned Low/Normal/High.
    static let labItems = """
        50983 50971 50902 50882 51006 50912 50931 50868 50893 50960 50970 51301 51222 51221 51265 51250
        51248 51249 51277 51279 51237 51274 51275 50862 50813 50861 50878 50863 50885 51003 50911 50889
        """.split(whereSeparator: \.isWhitespace).map(String.init)
    static let labBins = ["Low", "Normal", "High"]

    static let races: [(String, Double)] = [("WHITE", 62), ("BLACK", 15), ("HISPANIC", 9), ("ASIAN", 5),
                                            ("OTHER", 4), ("UNKNOWN", 5)]
    static let admissionTypes: [(String, Double)] = [("EMERGENCY", 55), ("URGENT", 15), ("ELECTIVE", 15), ("OBSERVATION", 15)]
    static let dischargeTypes: [(String, Double)] = [("HOME", 60), ("HOME_HEALTH", 15), ("SNF", 15), ("REHAB", 7), ("HOSPICE", 3)]
    /// Days between stays.
    static let timeGaps = [1, 2, 3, 5, 7, 14, 30, 60, 90, 180, 365]
    static let timeGapWeights: [Double] = [6, 5, 5, 6, 8, 10, 14, 12, 10, 8, 6]

    /// Shared order sets inserted verbatim in many records: spans found in hundreds of records,
    /// population-level knowledge that a scan must classify as common, not as a leak.
    static let templates: [(name: String, tokens: [String])] = [
        ("admission_panel", labs("50983:Normal", "50971:Normal", "50902:Normal", "50882:Normal", "51006:Normal",
                                 "50912:Normal", "50931:Normal", "50868:Normal", "50893:Normal", "50960:Normal",
                                 "50970:Normal", "51301:Normal", "51222:Normal", "51221:Normal", "51265:Normal",
                                 "51250:Normal", "51248:Normal", "51249:Normal", "51277:Normal", "51279:Normal",
                                 "51237:Normal", "51274:Normal", "51275:Normal", "50862:Normal")),
        ("sepsis_bundle", labs("50813:High", "51301:High", "50889:High", "51265:Low") + [
            "PROCEDURE//02HV33Z", "MEDICATION//Sodium-Chloride-0.9%", "MEDICATION//Vancomycin",
            "MEDICATION//Piperacillin-Tazobactam", "MEDICATION//Acetaminophen", "MEDICATION//Norepinephrine",
        ] + labs("50813:High", "50912:High", "51006:High", "50882:Low", "50868:High") + [
            "MEDICATION//Sodium-Chloride-0.9%", "MEDICATION//Vancomycin", "MEDICATION//Piperacillin-Tazobactam",
        ] + labs("50813:Normal", "51301:High", "51265:Low")),
        ("cardiac_workup", labs("51003:High", "50911:High", "50912:Normal", "50971:Normal") + [
            "PROCEDURE//4A023N7", "MEDICATION//Aspirin", "MEDICATION//Heparin", "MEDICATION//Atorvastatin",
            "MEDICATION//Metoprolol", "MEDICATION//Clopidogrel", "PROCEDURE//B2111ZZ", "PROCEDURE//02703DZ",
        ] + labs("51003:High", "51265:Normal", "51222:Normal") + [
            "MEDICATION//Aspirin", "MEDICATION//Clopidogrel", "MEDICATION//Atorvastatin",
            "MEDICATION//Metoprolol", "MEDICATION//Lisinopril",
        ]),
        ("dka_protocol", labs("50931:High", "50868:High", "50882:Low", "50983:Low", "50971:High", "50912:High") + [
            "MEDICATION//Sodium-Chloride-0.9%", "MEDICATION//Insulin-Regular", "MEDICATION//Potassium-Chloride",
        ] + labs("50931:High", "50868:High", "50882:Low") + [
            "MEDICATION//Insulin-Regular", "MEDICATION//Dextrose-5%",
        ] + labs("50931:Normal", "50868:Normal", "50882:Normal") + ["MEDICATION//Insulin-Glargine"]),
    ]

    private static func labs(_ specs: String...) -> [String] {
        specs.map { spec in
            let parts = spec.split(separator: ":")
            return "LAB//\(parts[0])//\(parts[1])"
        }
    }
}
