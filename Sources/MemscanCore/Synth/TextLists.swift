/// Vocabulary of the text-mode generator: note templates with patient-specific slots.
/// `{slot}` marks a slot; ` | ` separates alternative phrasings of a
/// sentence (one is drawn per note); a line `#N` is where shared paragraph N may stand (it is
/// always preceded and followed by the same words, which keeps planted copies of it exactly
/// delimited).
enum TextLists {
    static let noteTypes: [(name: String, weight: Double, psychiatric: Bool, lines: [String])] = [
        ("discharge", 3, false, [
            "DISCHARGE SUMMARY.",
            "Name: {name}. MRN: {mrn}. Date of birth: {dob}. Admission date: {date}. Discharge date: {date2}.",
            "Attending: Dr. {doctor}. | Attending physician: {doctor}, MD. | Discharging attending: Dr. {doctor}.",
            "{name} is a {age} year old {sexword} with a history of {history} who presented with {complaint}. | "
                + "{age} year old {sexword} with {history}, admitted on {date} with {complaint}. | "
                + "This is a {age} year old {sexword} with past medical history of {history} presenting with {complaint} for {days} days.",
            "Hospital course: the patient was treated for {diagnosis} and improved. | "
                + "Hospital course was notable for {diagnosis}, treated with improvement over {days} days. | "
                + "The patient was admitted for {diagnosis} and responded well to treatment.",
            "Discharge medications: {med} {dose} mg daily. | Medications on discharge include {med} {dose} mg once daily. | "
                + "Continue {med} {dose} mg by mouth daily.",
            "The patient was discharged home in stable condition. | Condition at discharge: stable. | "
                + "Discharged {disposition} in good condition.",
            "Discharge instructions:",
            "#0",
            "Follow up with Dr. {doctor} in {weeks} weeks. | Follow up in clinic in {weeks} weeks with Dr. {doctor}.",
        ]),
        ("radiology", 2, false, [
            "EXAMINATION: Chest radiograph, PA and lateral. | EXAMINATION: Portable chest radiograph.",
            "INDICATION: {age} year old {sexword} with {complaint}. Patient {name}, MRN {mrn}. | "
                + "INDICATION: {complaint}, evaluate for pneumonia. Patient {name}, MRN {mrn}, age {age}.",
            "COMPARISON: Radiograph dated {date}. | COMPARISON: None. | COMPARISON: CT chest from {date}.",
            "FINDINGS: {cxr}.",
            "Heart size is normal.",
            "#1",
            "IMPRESSION: {cxr}.",
            "Dictated by Dr. {doctor} on {date2}. | Electronically signed by {doctor}, MD, {date2} at {clock}.",
        ]),
        ("progress", 3, false, [
            "Progress note, hospital day {day}. | Daily progress note, {date}. | Medicine progress note, day {day} of admission.",
            "Patient: {name} (MRN {mrn}).",
            "Subjective: no acute events overnight, reports {complaint} is improving. | "
                + "Subjective: {complaint} is better today, slept well, tolerating diet. | "
                + "Overnight the patient had {complaint}, now resolved.",
            "Vitals: BP {sbp}/{dbp}, HR {hr}, T {temp} C, SpO2 {spo2}% on room air. | "
                + "Vitals: T {temp}, HR {hr}, BP {sbp}/{dbp}, RR {rr}, SpO2 {spo2}% on {oxygen}.",
            "Labs notable for creatinine {creat} mg/dL and hemoglobin {hgb} g/dL. | "
                + "Labs: sodium {sodium}, potassium {potassium}, creatinine {creat}, hemoglobin {hgb}, WBC {wbc}.",
            "Assessment and plan: {diagnosis}, continue {med} {dose} mg. | "
                + "A/P: {age} year old with {diagnosis}, improving; continue {med} {dose} mg and monitor.",
            "Disposition: anticipate discharge in {weeks} days. | Dispo: likely discharge {disposition} in {weeks} days.",
        ]),
        ("emergency", 2, false, [
            "Emergency department note, {date} at {clock}. | ED provider note, {date}, time seen {clock}.",
            "{name}, date of birth {dob}, MRN {mrn}, arrived by ambulance with {complaint}. | "
                + "{name} (DOB {dob}, MRN {mrn}) presents with {complaint} for {days} days. | "
                + "Patient {name}, MRN {mrn}, {age} year old {sexword}, walked in with {complaint}.",
            "Past medical history is significant for {history}. | PMH: {history}. | History of {history}.",
            "Home medications include {med} {dose} mg. | Home meds: {med} {dose} mg daily.",
            "Infection control screening:",
            "#3",
            "On exam the patient is alert and oriented, heart rate {hr}, blood pressure {sbp}/{dbp}. | "
                + "On exam: awake, alert, HR {hr}, BP {sbp}/{dbp}, SpO2 {spo2}%.",
            "The patient was admitted to medicine for further management of {diagnosis}. | "
                + "Admitted for {diagnosis}. | Plan: admit to {service} for {diagnosis}.",
        ]),
        ("psychiatry", 3, true, [
            "Psychiatry consultation requested by Dr. {doctor} on {date}. | Psychiatry consult note, {date}, requested by {doctor}.",
            "Identification: {name}, {age} year old {sexword}, MRN {mrn}.",
            "Reason for consult: {psych}.",
            "The patient has a history of {history} and lives {living}. | Psychiatric history of {history}; lives {living}.",
            "Current psychiatric medications: {psychmed} {psychdose} mg at bedtime. | Takes {psychmed} {psychdose} mg nightly.",
            "Risk assessment:",
            "#2",
            "Recommendations: continue {psychmed}, social work referral, follow up in clinic. | "
                + "Recommendations: continue {psychmed} {psychdose} mg, outpatient follow up in {weeks} weeks.",
        ]),
        ("pathology", 1, false, [
            "SURGICAL PATHOLOGY REPORT.",
            "Patient: {name}. MRN: {mrn}. Collected: {date}. Received: {date2}. | Patient: {name}. MRN: {mrn}. Accession: {accession}.",
            "Specimen: {specimen}.",
            "Final diagnosis: {pathdx}.",
            "Clinical history: {age} year old {sexword} with {history}. | Clinical information: {history}.",
            "Electronically signed by Dr. {doctor} on {date2}. | Pathologist: {doctor}, MD, signed {date2}.",
        ]),
    ]

    /// Shared paragraphs (population-level phrasing), the words always standing right before and
    /// after them in a record, and how often a note of their type carries them.
    static let paragraphs: [(name: String, before: String, after: String, probability: Double, text: String)] = [
        ("discharge_instructions", "instructions", "follow", 0.6,
         "Please take all of your medications as prescribed and do not stop any medication without talking to your doctor. Return to the emergency department if you develop chest pain, shortness of breath, fever greater than 101 F, bleeding, or any other symptom that concerns you. Please keep all of your follow up appointments."),
        ("normal_chest", "normal", "impression", 0.5,
         "The cardiomediastinal silhouette is within normal limits. There is no pneumothorax. No acute osseous abnormality is identified. The visualized upper abdomen is unremarkable."),
        ("psychiatric_risk", "assessment", "recommendations", 0.7,
         "The patient denies suicidal or homicidal ideation, plan or intent, and is future oriented. The patient is not considered an imminent risk to self or others and does not meet criteria for involuntary hold at this time."),
        ("infection_screening", "screening", "on", 0.5,
         "The patient denies fever, cough, recent travel or known exposure to COVID 19. A surgical mask was placed and standard and droplet precautions were maintained throughout the encounter."),
    ]

    static let femaleNames = """
        Maria Linda Patricia Jennifer Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa Betty Sandra
        Ashley Dorothy Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie Rebecca Aisha Mei
        Fatima Olga Priya Rosa Yuki Ingrid Amara Chloe Grace Hannah Leila Nadia Sofia Zainab
        """.split(whereSeparator: \.isWhitespace).map(String.init)
    static let maleNames = """
        James Robert John Michael David William Richard Joseph Thomas Charles Daniel Matthew Anthony Mark
        Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Omar Wei Ahmed Carlos
        Dmitri Hiroshi Ivan Jamal Kwame Luis Mateo Nikolai Pedro Rahul Samuel Tariq
        """.split(whereSeparator: \.isWhitespace).map(String.init)
    static let lastNames = """
        Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
        Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez
        Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson
        Baker Hall Rivera Campbell Mitchell Carter Roberts Okafor Kowalski Novak Schmidt Rossi Kim Patel
        Singh Cohen Murphy Sullivan Ivanova Haddad Mensah Tanaka Silva Moreno Dubois Larsen
        """.split(whereSeparator: \.isWhitespace).map(String.init)

    /// Sensitive conditions: history phrase, share of patients, psychiatric (psychiatry consult
    /// notes), the treatment named in notes, and complaints that go with them.
    static let sensitive: [(phrase: String, prevalence: Double, psychiatric: Bool, medication: String, doses: [String], complaints: [String])] = [
        ("HIV on antiretroviral therapy", 0.02, false, "dolutegravir", ["50"], ["fever and night sweats"]),
        ("chronic hepatitis C", 0.03, false, "sofosbuvir", ["400"], ["abdominal distension"]),
        ("opioid use disorder on buprenorphine", 0.03, true, "buprenorphine", ["8", "16"], ["opioid withdrawal", "an overdose"]),
        ("alcohol use disorder with prior detox admissions", 0.04, true, "naltrexone", ["50"], ["alcohol withdrawal", "a fall while intoxicated"]),
        ("major depressive disorder", 0.05, true, "sertraline", ["50", "100"], ["depressed mood", "suicidal ideation"]),
        ("generalized anxiety disorder", 0.03, true, "buspirone", ["10", "15"], ["panic attacks"]),
        ("bipolar disorder", 0.01, true, "lithium", ["300", "600"], ["manic symptoms"]),
        ("schizophrenia", 0.01, true, "olanzapine", ["5", "10", "20"], ["auditory hallucinations"]),
    ]

    /// Rare conditions, in the same order as the codes catalog (one to three holders each).
    static let rare = [
        "Gaucher disease", "cystic fibrosis", "hemophilia A", "Marfan syndrome", "Wilson disease",
        "amyotrophic lateral sclerosis", "Fabry disease", "Pompe disease", "phenylketonuria", "Huntington disease",
        "Duchenne muscular dystrophy", "osteogenesis imperfecta", "neurofibromatosis type 1",
        "acute intermittent porphyria", "paroxysmal nocturnal hemoglobinuria", "Friedreich ataxia",
        "hereditary hemorrhagic telangiectasia", "homocystinuria", "maple syrup urine disease", "DiGeorge syndrome",
        "hereditary transthyretin amyloidosis", "Charcot-Marie-Tooth disease", "Turner syndrome", "Hurler syndrome",
    ]
    /// Words that single out a rare condition.
    static let rareWords: Set<String> = [
        "gaucher", "cystic", "hemophilia", "marfan", "wilson", "amyotrophic", "fabry", "pompe", "phenylketonuria",
        "huntington", "duchenne", "osteogenesis", "neurofibromatosis", "porphyria", "hemoglobinuria", "friedreich",
        "telangiectasia", "homocystinuria", "syrup", "digeorge", "transthyretin", "charcot", "turner", "hurler",
    ]
    /// Words of the planted sensitive conditions that memscan's default `text` list flags.
    static let sensitiveWords: Set<String> = [
        "hiv", "antiretroviral", "hepatitis", "opioid", "buprenorphine", "naltrexone", "detox", "overdose",
        "depressive", "bipolar", "schizophrenia", "suicidal", "psychosis",
    ]

    /// Common history phrases, most frequent first (Zipf).
    static let histories = [
        "hypertension and type 2 diabetes", "hypertension", "hyperlipidemia", "coronary artery disease",
        "COPD on home oxygen", "stage 3 chronic kidney disease", "atrial fibrillation on apixaban",
        "heart failure with reduced ejection fraction", "hypothyroidism", "obesity and obstructive sleep apnea",
        "gastroesophageal reflux disease", "asthma", "osteoarthritis of both knees", "prior stroke",
        "peripheral arterial disease", "cirrhosis", "end stage renal disease on hemodialysis", "prostate cancer",
        "breast cancer in remission", "rheumatoid arthritis", "Parkinson disease", "multiple sclerosis",
        "sickle cell trait", "gout", "benign prostatic hyperplasia", "chronic low back pain", "migraine",
        "iron deficiency anemia", "pulmonary embolism on warfarin", "kidney transplant on tacrolimus",
    ]
    static let complaints = [
        "chest pain", "shortness of breath", "fever and chills", "abdominal pain", "confusion", "a fall at home",
        "syncope", "hematemesis", "leg swelling", "productive cough", "palpitations", "nausea and vomiting",
        "headache", "back pain", "generalized weakness", "dizziness", "dysuria", "melena",
    ]
    static let diagnoses = [
        "community acquired pneumonia", "acute on chronic heart failure", "acute kidney injury",
        "sepsis from a urinary source", "upper gastrointestinal bleed", "NSTEMI", "COPD exacerbation",
        "cellulitis of the left leg", "diabetic ketoacidosis", "atrial fibrillation with rapid ventricular response",
        "small bowel obstruction", "acute pancreatitis", "hyponatremia", "urinary tract infection",
        "pulmonary embolism", "hypertensive urgency", "syncope of unclear etiology", "delirium",
    ]
    static let psychReasons = [
        "depressed mood with passive suicidal ideation", "acute psychosis", "capacity evaluation",
        "agitation in the setting of opioid withdrawal", "alcohol use disorder and withdrawal risk",
        "medication management", "anxiety and insomnia",
    ]
    static let medications: [(name: String, doses: [String])] = [
        ("metoprolol", ["25", "50", "100"]), ("lisinopril", ["5", "10", "20"]), ("furosemide", ["20", "40", "80"]),
        ("apixaban", ["2.5", "5"]), ("metformin", ["500", "1000"]), ("atorvastatin", ["20", "40", "80"]),
        ("levothyroxine", ["50", "75", "100"]), ("gabapentin", ["300", "600"]), ("amlodipine", ["5", "10"]),
        ("tamsulosin", ["0.4"]), ("pantoprazole", ["40"]), ("carvedilol", ["6.25", "12.5", "25"]),
        ("spironolactone", ["25", "50"]), ("allopurinol", ["100", "300"]), ("warfarin", ["2", "5"]),
    ]
    static let chestFindings = [
        "There is a right lower lobe opacity concerning for pneumonia", "Small bilateral pleural effusions with bibasilar atelectasis",
        "Mild pulmonary vascular congestion without frank edema", "The lungs are clear",
        "A left internal jugular central line terminates in the mid SVC", "Hyperinflated lungs consistent with emphysema",
        "Left basilar atelectasis", "Stable cardiomegaly with small left effusion",
    ]
    static let specimens: [(specimen: String, diagnosis: String)] = [
        ("colon, sigmoid, biopsy", "tubular adenoma, no high grade dysplasia"),
        ("lung, right upper lobe, wedge resection", "invasive adenocarcinoma, 1.8 cm"),
        ("skin, left forearm, shave", "basal cell carcinoma, margins clear"),
        ("liver, core biopsy", "chronic hepatitis with bridging fibrosis, stage 3"),
        ("lymph node, axillary, excision", "metastatic carcinoma in 2 of 14 nodes"),
        ("stomach, antrum, biopsy", "chronic gastritis, Helicobacter pylori organisms present"),
        ("prostate, needle biopsies", "prostatic adenocarcinoma, Gleason score 3+4=7"),
    ]
    static let dispositions = ["home", "home with services", "to rehab", "to a skilled nursing facility"]
    static let oxygen = ["room air", "2 L nasal cannula", "4 L nasal cannula", "high flow"]
    static let services = ["medicine", "cardiology", "the ICU", "surgery", "hepatology", "nephrology"]
    static let living = ["alone", "with family", "in a shelter", "in a group home", "with a partner", "in an assisted living facility"]

    /// Common words for substitutions and insertions in near copies.
    static let fillerWords = """
        the patient was is and with of in on for to no acute pain noted stable continue plan history
        reports denies normal chronic mild left right bilateral daily dose mg labs exam follow up today
        admitted improved given started held increased decreased monitor clinic home symptoms prior
        """.split(whereSeparator: \.isWhitespace).map(String.init)
}
