#!/usr/bin/env python3
"""Generate memscan's bundled, fully synthetic demo dataset.

The demo has to exercise every behaviour memscan is built to detect (SPEC §4): verbatim copies of
the prompting patient's own record, copies of another patient's record, near copies with edits,
population-level templates shared by many records, sensitive codes, rare conditions held by one
or two patients, and clinical notes whose identifying sentences are reproduced.  Everything is
planted on purpose and written down in truth files, so that the demo doubles as an end-to-end
check of a scan.

No real patient data is used: names, identifiers, dates and codes are drawn from small built-in
lists with a seeded PRNG, so the output is byte-identical for a given --seed.

    python3 scripts/make_sample.py --out sample            # default seed 7

Standard library only (Python 3.11).
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

# Ordered roughly from most to least frequent in inpatient data: a Zipf-like draw over this order
# gives the heavy-tailed code frequencies of real EHR (hypertension everywhere, most codes rare).
COMMON_DIAGNOSES = """
I10 E78.5 E11.9 K21.9 Z87.891 F41.9 E03.9 N18.3 I25.10 J44.9 I48.91 Z79.4 I50.9 D64.9 E87.1
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
F17.210 F43.10 F41.1 F51.01 F90.9 F84.0 F31.9 F33.1 G25.81 G47.00 G44.209 I27.20 I31.3 I44.2
I45.10 I48.0 I48.2 I46.9 I51.7 I87.2 I83.90 I89.0 I77.1 J30.9 J32.9 J47.9 J80 J93.9 J94.8 K22.70
K20.90 K26.9 K35.80 K40.90 K43.9 K50.90 K51.90 K52.9 K58.9 K62.5 K64.9 K75.4 K83.1 K91.89 N30.00
N31.9 N32.81 N35.9 N41.0 N43.3 N50.9 N81.2 N94.6
""".split()

# Codes that only make sense for one sex; drawing them for the other would look fake.
FEMALE_ONLY = {"C50.919", "O09.90", "O80", "Z34.90", "O24.419", "O13.9", "O99.89", "Z30.09",
               "N92.0", "N80.9", "N83.20", "N95.1", "N81.2", "N94.6"}
MALE_ONLY = {"C61", "N40.0", "N41.0", "N43.3", "N50.9"}

# Sensitive conditions (infectious disease, substance use, mental health) at a controlled
# prevalence, so that leak rates per category in the demo are meaningful: code -> share of patients.
SENSITIVE_PREVALENCE = {
    "B20": 0.03,     # HIV disease
    "B18.2": 0.04,   # chronic viral hepatitis C
    "F11.20": 0.04,  # opioid dependence
    "F10.20": 0.05,  # alcohol dependence
    "F32.9": 0.06,   # major depressive disorder
    "F20.9": 0.02,   # schizophrenia
}

# Rare conditions held by exactly this many patients: a reproduced span with one of these codes
# singles a person out even without any other identifier.
RARE_HOLDERS = {
    "E75.22": 1,     # Gaucher disease
    "E84.0": 2,      # cystic fibrosis with pulmonary manifestations
    "D66": 1,        # hereditary factor VIII deficiency
    "Q87.40": 2,     # Marfan syndrome
    "E83.01": 1,     # Wilson disease
    "G12.21": 1,     # amyotrophic lateral sclerosis
}

# Treatments that go with a condition: real records repeat them, and they leak the condition too.
CONDITION_MEDICATIONS = {
    "B20": ["Dolutegravir", "Emtricitabine-Tenofovir"],
    "B18.2": ["Sofosbuvir-Velpatasvir"],
    "F11.20": ["Buprenorphine-Naloxone", "Methadone"],
    "F10.20": ["Thiamine", "Folic-Acid", "Lorazepam"],
    "F32.9": ["Sertraline", "Escitalopram"],
    "F20.9": ["Olanzapine", "Risperidone"],
    "E75.22": ["Imiglucerase"],
    "E84.0": ["Dornase-Alfa", "Ivacaftor"],
    "D66": ["Factor-VIII"],
    "Q87.40": ["Losartan"],
    "E83.01": ["Penicillamine", "Zinc-Acetate"],
    "G12.21": ["Riluzole"],
    "E11.9": ["Metformin"],
    "I10": ["Amlodipine"],
    "E78.5": ["Atorvastatin"],
    "E03.9": ["Levothyroxine"],
    "I48.91": ["Apixaban"],
    "N18.6": ["Sevelamer", "Calcitriol"],
}

MEDICATIONS = """
Heparin Pantoprazole Acetaminophen Sodium-Chloride-0.9% Ondansetron Docusate Senna Furosemide
Potassium-Chloride Metoprolol Insulin-Lispro Magnesium-Sulfate Enoxaparin Oxycodone Aspirin
Polyethylene-Glycol Atorvastatin Lisinopril Vancomycin Ceftriaxone Morphine Hydromorphone
Dextrose-5% Piperacillin-Tazobactam Insulin-Glargine Amlodipine Gabapentin Famotidine Albuterol
Ipratropium Prednisone Methylprednisolone Levofloxacin Metronidazole Azithromycin Cefepime
Warfarin Apixaban Clopidogrel Levothyroxine Tamsulosin Trazodone Quetiapine Haloperidol
Nicotine-Patch Spironolactone Carvedilol Hydralazine Labetalol Nitroglycerin Diltiazem Amiodarone
Digoxin Allopurinol Calcium-Gluconate Sodium-Bicarbonate Propofol Fentanyl Midazolam
Norepinephrine Vasopressin Lactulose Rifaximin Bisacodyl Losartan Glipizide Multivitamin
Ferrous-Sulfate Epoetin-Alfa Tacrolimus Mycophenolate
""".split()

# ICD-10-PCS procedure codes seen in inpatient stays (endoscopy, lines, ventilation, dialysis, ...).
PROCEDURES = """
02HV33Z 5A1955Z 0BH17EZ 5A1945Z 3E0G76Z 30233N1 0DJ08ZZ 5A1D70Z 0T9B70Z 02703DZ 4A023N7 B2111ZZ
0W9930Z 0W9G3ZZ 0DB68ZX 30233R1 5A1D90Z 009U3ZX B020ZZZ 0FT44ZZ 0DTJ4ZZ 0SRD0JZ 0SR90JZ 02100Z9
5A1935Z 0B5C8ZZ 0BJ08ZZ 0DH67UZ 0FC98ZZ 0D9670Z 3E0436Z 3E03305 0JH63VZ 02HK3JZ 5A2204Z 0KQM0ZZ
0HQ9XZZ 0W3P8ZZ 0D768DZ 0FJD8ZZ
""".split()

# MIMIC-style lab item ids (50912 creatinine, 51222 hemoglobin, ...), binned Low/Normal/High.
LAB_ITEMS = """
50983 50971 50902 50882 51006 50912 50931 50868 50893 50960 50970 51301 51222 51221 51265 51250
51248 51249 51277 51279 51237 51274 51275 50862 50813 50861 50878 50863 50885 51003 50911 50889
""".split()
LAB_BINS = ("Low", "Normal", "High")

ADMISSION_TYPES = (("EMERGENCY", 55), ("URGENT", 15), ("ELECTIVE", 15), ("OBSERVATION", 15))
DISCHARGE_TYPES = (("HOME", 60), ("HOME_HEALTH", 15), ("SNF", 15), ("REHAB", 7), ("HOSPICE", 3))
TIME_GAPS = (1, 2, 3, 5, 7, 14, 30, 60, 90, 180, 365)  # days between admissions


def _labs(*specs: str) -> list[str]:
    """Expand 'item:Bin' shorthands so that the template tables below stay readable."""
    return [f"LAB//{item}//{bin_}" for item, bin_ in (s.split(":") for s in specs)]


# Standard order sets that many patients receive verbatim.  They make spans that occur in hundreds
# of records: population-level knowledge, which a scan must classify as common, not as a leak.
TEMPLATES = {
    # basic metabolic panel + complete blood count + coagulation, all in range (24 tokens)
    "admission_panel": _labs(
        "50983:Normal", "50971:Normal", "50902:Normal", "50882:Normal", "51006:Normal",
        "50912:Normal", "50931:Normal", "50868:Normal", "50893:Normal", "50960:Normal",
        "50970:Normal", "51301:Normal", "51222:Normal", "51221:Normal", "51265:Normal",
        "51250:Normal", "51248:Normal", "51249:Normal", "51277:Normal", "51279:Normal",
        "51237:Normal", "51274:Normal", "51275:Normal", "50862:Normal"),
    # sepsis bundle: lactate, cultures, fluids, broad-spectrum antibiotics, pressor (21 tokens)
    "sepsis_bundle": _labs("50813:High", "51301:High", "50889:High", "51265:Low") + [
        "PROCEDURE//02HV33Z", "MEDICATION//Sodium-Chloride-0.9%", "MEDICATION//Vancomycin",
        "MEDICATION//Piperacillin-Tazobactam", "MEDICATION//Acetaminophen",
        "MEDICATION//Norepinephrine"] + _labs(
        "50813:High", "50912:High", "51006:High", "50882:Low", "50868:High") + [
        "MEDICATION//Sodium-Chloride-0.9%", "MEDICATION//Vancomycin",
        "MEDICATION//Piperacillin-Tazobactam"] + _labs("50813:Normal", "51301:High", "51265:Low"),
    # chest pain work-up ending in catheterisation and stent (20 tokens)
    "cardiac_workup": _labs("51003:High", "50911:High", "50912:Normal", "50971:Normal") + [
        "PROCEDURE//4A023N7", "MEDICATION//Aspirin", "MEDICATION//Heparin",
        "MEDICATION//Atorvastatin", "MEDICATION//Metoprolol", "MEDICATION//Clopidogrel",
        "PROCEDURE//B2111ZZ", "PROCEDURE//02703DZ"] + _labs(
        "51003:High", "51265:Normal", "51222:Normal") + [
        "MEDICATION//Aspirin", "MEDICATION//Clopidogrel", "MEDICATION//Atorvastatin",
        "MEDICATION//Metoprolol", "MEDICATION//Lisinopril"],
}

SENSITIVE_OR_RARE = set(SENSITIVE_PREVALENCE) | set(RARE_HOLDERS)


# --------------------------------------------------------------------------------------------
# Sampling helpers
# --------------------------------------------------------------------------------------------

class Zipf:
    """Draw items with weight 1/rank^s: the long tail of real code frequencies in a few lines."""

    def __init__(self, items: list[str], s: float = 1.07):
        self.items = items
        self.cum = list(itertools.accumulate(1.0 / (rank + 1) ** s for rank in range(len(items))))

    def draw(self, rng: random.Random) -> str:
        """One item, by inverse transform on the cumulative weights."""
        return self.items[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


def skewed(rng: random.Random, lo: int, hi: int, mean_extra: float) -> int:
    """lo plus an exponential excess, capped at hi: mostly short, occasionally long, which is
    how reproduced spans and record lengths are distributed, and keeps the bundle small."""
    return min(hi, lo + int(rng.expovariate(1 / mean_extra)))


def weighted(rng: random.Random, pairs: tuple[tuple[object, int], ...]):
    """Pick from (value, weight) pairs; keeps the tables above declarative."""
    values, weights = zip(*pairs)
    return rng.choices(values, weights=weights)[0]


DIAGNOSIS_ZIPF = Zipf(COMMON_DIAGNOSES)
MEDICATION_ZIPF = Zipf(MEDICATIONS, s=0.9)
PROCEDURE_ZIPF = Zipf(PROCEDURES, s=1.0)
LAB_ZIPF = Zipf(LAB_ITEMS, s=0.6)


# --------------------------------------------------------------------------------------------
# Patients and their records (codes mode)
# --------------------------------------------------------------------------------------------

@dataclass
class Patient:
    """What stays constant across a patient's admissions: that repetition is what makes a
    record recognisable, and what a memorizing model reproduces."""

    subject_id: int
    sex: str
    age: int
    chronic: list[str]
    abnormal_labs: dict[str, str]
    tokens: list[str] = field(default_factory=list)

    def chronic_medications(self) -> list[str]:
        """Treatments implied by the chronic conditions, repeated at every stay."""
        return [m for code in self.chronic for m in CONDITION_MEDICATIONS.get(code, [])]


def draw_diagnosis(rng: random.Random, sex: str, exclude: set[str]) -> str:
    """A common diagnosis compatible with the patient's sex and not already present."""
    while True:
        code = DIAGNOSIS_ZIPF.draw(rng)
        if code in exclude or (sex == "M" and code in FEMALE_ONLY) or (
                sex == "F" and code in MALE_ONLY):
            continue
        return code


def make_patient(rng: random.Random, subject_id: int, special: list[str]) -> Patient:
    """A patient with 1-4 chronic conditions plus any sensitive or rare ones assigned to them."""
    sex = rng.choice("FM")
    age = min(90, max(18, int(rng.gauss(61, 17))))
    chronic: list[str] = []
    for _ in range(rng.randint(1, 4)):
        chronic.append(draw_diagnosis(rng, sex, set(chronic)))
    chronic = special + chronic
    abnormal = {item: rng.choice(("Low", "High")) for item in rng.sample(LAB_ITEMS, 3)}
    return Patient(subject_id, sex, age, chronic, abnormal)


def lab_token(rng: random.Random, patient: Patient, item: str) -> str:
    """Labs are mostly in range, but each patient has a few characteristic abnormal results."""
    if item in patient.abnormal_labs and rng.random() < 0.7:
        return f"LAB//{item}//{patient.abnormal_labs[item]}"
    return f"LAB//{item}//{weighted(rng, (('Low', 15), ('Normal', 65), ('High', 20)))}"


def lab_draw(rng: random.Random, patient: Patient, n: int) -> list[str]:
    """n labs in random order: random order keeps unplanted long verbatim runs from appearing."""
    items = {LAB_ZIPF.draw(rng) for _ in range(n)}
    return [lab_token(rng, patient, item) for item in rng.sample(sorted(items), len(items))]


def admission(rng: random.Random, patient: Patient, templates: bool) -> list[str]:
    """One hospital stay in MEDS-like event order: admit, labs, diagnoses, daily events, discharge.

    Chronic diagnoses and their treatments recur in every stay, as they do in real records.
    """
    diagnoses = list(patient.chronic)
    for _ in range(rng.randint(1, 4)):
        diagnoses.append(draw_diagnosis(rng, patient.sex, set(diagnoses)))
    tokens = [f"ADMISSION//{weighted(rng, ADMISSION_TYPES)}"]
    if templates and rng.random() < 0.45:
        tokens += TEMPLATES["admission_panel"]
    else:
        tokens += lab_draw(rng, patient, rng.randint(3, 10))
    tokens += [f"DIAGNOSIS//{code}" for code in diagnoses]
    if templates and ("A41.9" in diagnoses or rng.random() < 0.06):
        tokens += TEMPLATES["sepsis_bundle"]
    if templates and ("I21.4" in diagnoses or rng.random() < 0.06):
        tokens += TEMPLATES["cardiac_workup"]
    meds = patient.chronic_medications() + [MEDICATION_ZIPF.draw(rng)
                                            for _ in range(rng.randint(2, 6))]
    tokens += [f"MEDICATION//{m}" for m in dict.fromkeys(meds)]
    for _ in range(rng.randint(0, 3)):  # further hospital days
        tokens.append("TIME//1")
        tokens += lab_draw(rng, patient, rng.randint(2, 6))
        if rng.random() < 0.4:
            tokens.append(f"PROCEDURE//{PROCEDURE_ZIPF.draw(rng)}")
        if rng.random() < 0.5:
            tokens.append(f"MEDICATION//{MEDICATION_ZIPF.draw(rng)}")
    tokens.append(f"DISCHARGE//{weighted(rng, DISCHARGE_TYPES)}")
    return tokens


def record_length(rng: random.Random) -> int:
    """80-600 tokens, most records short and a few long: keeps the bundle small but realistic."""
    if rng.random() < 0.025:
        return rng.randint(250, 600)
    return skewed(rng, 80, 600, 8)


def make_record(rng: random.Random, patient: Patient, length: int) -> list[str]:
    """Demographics, then stays separated by TIME gap tokens, cut at the drawn length."""
    tokens = [f"GENDER//{patient.sex}", f"AGE//{patient.age}"]
    while len(tokens) < length:
        if len(tokens) > 2:
            tokens.append(f"TIME//{rng.choice(TIME_GAPS)}")
        tokens += admission(rng, patient, templates=True)
    return tokens[:length]


def assign_special_codes(rng: random.Random, n: int) -> list[list[str]]:
    """Which patients carry which sensitive or rare codes, at the configured prevalence."""
    special: list[list[str]] = [[] for _ in range(n)]
    for code, share in SENSITIVE_PREVALENCE.items():
        for i in rng.sample(range(n), max(1, round(share * n))):
            special[i].append(code)
    for code, holders in RARE_HOLDERS.items():
        for i in rng.sample(range(n), holders):
            special[i].append(code)
    return special


def make_patients(rng: random.Random, n: int) -> list[Patient]:
    """The training cohort, with MIMIC-like 8-digit subject ids in ascending order."""
    ids = sorted(rng.sample(range(10_000_000, 19_999_999), n))
    special = assign_special_codes(rng, n)
    patients = [make_patient(rng, sid, codes) for sid, codes in zip(ids, special)]
    for patient in patients:
        patient.tokens = make_record(rng, patient, record_length(rng))
    return patients


# --------------------------------------------------------------------------------------------
# Corpus look-ups used to keep the truth file exact
# --------------------------------------------------------------------------------------------

SEP = "\x1f"


class Corpus:
    """The training records, with the look-ups needed to plant spans whose extent is known."""

    def __init__(self, patients: list[Patient], k: int):
        self.patients = patients
        self.by_id = {p.subject_id: p for p in patients}
        self.joined = [SEP + SEP.join(p.tokens) + SEP for p in patients]
        self.k = k
        self.shingles = {tuple(p.tokens[i:i + k])
                         for p in patients for i in range(len(p.tokens) - k + 1)}
        self.neighbours = self._template_neighbours()

    def count_containing(self, seq: list[str]) -> int:
        """Exact number of records holding seq verbatim (SPEC §4 'records containing a span')."""
        needle = SEP + SEP.join(seq) + SEP
        return sum(needle in text for text in self.joined)

    def first_occurrence(self, seq: list[str]) -> tuple[Patient, int]:
        """The first record holding seq, used as the example record of a template span."""
        for patient in self.patients:
            for i in range(len(patient.tokens) - len(seq) + 1):
                if patient.tokens[i:i + len(seq)] == seq:
                    return patient, i
        raise ValueError("sequence occurs in no record")

    def _template_neighbours(self) -> dict[str, tuple[set[str], set[str]]]:
        """Tokens seen right before / after each template in any record.

        A planted template must not be flanked by them, or the verbatim span would silently
        grow past the planted one against some record.
        """
        result = {}
        for name, tpl in TEMPLATES.items():
            before, after = set(), set()
            for p in self.patients:
                for i in range(len(p.tokens) - len(tpl) + 1):
                    if p.tokens[i:i + len(tpl)] == tpl:
                        if i > 0:
                            before.add(p.tokens[i - 1])
                        if i + len(tpl) < len(p.tokens):
                            after.add(p.tokens[i + len(tpl)])
            result[name] = (before, after)
        return result

    def accidental_hits(self, tokens: list[str], segments: list[object]) -> int:
        """k-token windows that match some record yet do not lie inside the prompt or inside a
        single planted span (segments labels each position with where it came from).

        Generations are redrawn until this is zero, so that truth.jsonl lists every verbatim
        span of at least k tokens a correct scanner must report, and nothing else.
        """
        hits = 0
        for i in range(len(tokens) - self.k + 1):
            labels = set(segments[i:i + self.k])
            explained = len(labels) == 1 and None not in labels
            if not explained and tuple(tokens[i:i + self.k]) in self.shingles:
                hits += 1
        return hits


def levenshtein(a: list[str], b: list[str]) -> int:
    """Token edit distance: the 'edits' of a near span are measured, not assumed."""
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


# --------------------------------------------------------------------------------------------
# Model generations (codes mode)
# --------------------------------------------------------------------------------------------

@dataclass
class Planted:
    """A span put into a generation on purpose; becomes one line of truth.jsonl."""

    kind: str
    gen_start: int
    gen_end: int
    record: int
    record_start: int
    record_end: int
    edits: int = 0


class GenerationBuilder:
    """Appends pieces to a generation and guards the seams between them.

    Every piece copied from a record declares the tokens that must not sit right before and after
    it (the record's own neighbours); the builder inserts a novel filler token where needed, so
    the planted extent is the maximal verbatim extent.
    """

    def __init__(self, rng: random.Random, prompt: list[str], avoid_next: set[str]):
        self.rng = rng
        self.tokens = list(prompt)
        self.planted: list[Planted] = []
        self.avoid_next = avoid_next

    def novel_token(self, forbidden: set[str]) -> str:
        """A plausible token absent from forbidden, drawn as a hallucinating model would."""
        while True:
            token = hallucinate(self.rng, 1)[0]
            if token not in forbidden:
                return token

    def add_novel(self, n: int) -> None:
        """n tokens of plausible but invented events (no templates, random lab order)."""
        if n <= 0:
            return
        tokens = hallucinate(self.rng, n, from_start=not self.tokens)
        while tokens[0] in self.avoid_next:
            tokens[0] = self.novel_token(self.avoid_next)
        self.tokens += tokens
        self.avoid_next = set()

    def add_piece(self, kind: str, piece: list[str], before: set[str], after: set[str],
                  record: int, record_start: int, record_end: int, edits: int = 0) -> None:
        """Append a copied piece, separated from what precedes it when the seam could match."""
        if self.tokens and (self.tokens[-1] in before or piece[0] in self.avoid_next):
            self.tokens.append(self.novel_token(before | self.avoid_next))
        start = len(self.tokens)
        self.tokens += piece
        self.planted.append(Planted(kind, start, len(self.tokens), record, record_start,
                                    record_end, edits))
        self.avoid_next = after

    def add_record_copy(self, kind: str, patient: Patient, start: int, end: int,
                        piece: list[str] | None = None, edits: int = 0) -> None:
        """Copy (or, with piece, nearly copy) patient.tokens[start:end]."""
        tokens = patient.tokens
        before = {tokens[start - 1]} if start > 0 else set()
        after = {tokens[end]} if end < len(tokens) else set()
        self.add_piece(kind, piece or tokens[start:end], before, after,
                       patient.subject_id, start, end, edits)

    def continue_own_record(self, patient: Patient, length: int) -> None:
        """The prompt runs on into the patient's own record: one span from token 0 (SPEC §4)."""
        p = len(self.tokens)
        self.tokens += patient.tokens[p:p + length]
        end = len(self.tokens)
        self.planted.append(Planted("verbatim", 0, end, patient.subject_id, 0, end))
        self.avoid_next = {patient.tokens[end]} if end < len(patient.tokens) else set()


def hallucinate(rng: random.Random, n: int, from_start: bool = False) -> list[str]:
    """Invented events from an invented patient: realistic structure, no shared templates.

    An unprompted generation opens with demographics like a record; otherwise the invented
    events pick up somewhere inside a stay.
    """
    fake = make_patient(rng, 0, [])
    tokens = [f"GENDER//{fake.sex}", f"AGE//{fake.age}"]
    while len(tokens) < n + 10:
        tokens += admission(rng, fake, templates=False) + [f"TIME//{rng.choice(TIME_GAPS)}"]
    start = 0 if from_start else rng.randint(2, 10)
    return tokens[start:start + n]


def similar_token(rng: random.Random, token: str) -> str:
    """A plausible substitute: another bin of the same lab, another code of the same kind."""
    while True:
        if token.startswith("LAB//"):
            item = token.split("//")[1]
            new = f"LAB//{item}//{rng.choice(LAB_BINS)}"
        elif token.startswith("DIAGNOSIS//"):
            new = f"DIAGNOSIS//{DIAGNOSIS_ZIPF.draw(rng)}"
        elif token.startswith("MEDICATION//"):
            new = f"MEDICATION//{MEDICATION_ZIPF.draw(rng)}"
        else:
            new = hallucinate(rng, 1)[0]
        if new != token:
            return new


def perturb(rng: random.Random, source: list[str]) -> tuple[list[str], int]:
    """A near copy: 5-10% substitutions, insertions and deletions, ends left intact so that the
    near span starts and ends exactly where it was planted.  Returns (copy, measured edits)."""
    n_edits = max(1, round(rng.uniform(0.05, 0.10) * len(source)))
    positions = set(rng.sample(range(2, len(source) - 2), n_edits))
    out: list[str] = []
    for i, token in enumerate(source):
        if i not in positions:
            out.append(token)
            continue
        op = rng.choice(("sub", "sub", "ins", "del"))
        if op == "sub":
            out.append(similar_token(rng, token))
        elif op == "ins":
            out += [token, hallucinate(rng, 1)[0]]
    return out, levenshtein(out, source)


def span_within(rng: random.Random, length: int, lo: int, hi: int, must_cover: int | None):
    """A window [start, start+length) inside [lo, hi), covering must_cover when given."""
    length = min(length, hi - lo)
    first, last = lo, hi - length
    if must_cover is not None and lo <= must_cover < hi:
        first, last = max(first, must_cover - length + 1), min(last, must_cover)
    start = rng.randint(first, last)
    return start, start + length


def special_position(rng: random.Random, patient: Patient, lo: int) -> int | None:
    """Index of a sensitive or rare diagnosis token at or after lo, to plant a revealing span."""
    hits = [i for i, t in enumerate(patient.tokens[lo:], lo)
            if t.startswith("DIAGNOSIS//") and t.split("//")[1] in SENSITIVE_OR_RARE]
    return rng.choice(hits) if hits else None


def pick_source(rng: random.Random, corpus: Corpus, exclude: int) -> Patient:
    """Another patient to copy from; half the time one with a sensitive or rare condition."""
    pool = [p for p in corpus.patients if p.subject_id != exclude]
    if rng.random() < 0.5:
        pool = [p for p in pool if SENSITIVE_OR_RARE & set(p.chronic)] or pool
    return rng.choice(pool)


def plant_template(b: GenerationBuilder, corpus: Corpus) -> None:
    """A population-typical order set: many records hold it, so it is knowledge, not a leak."""
    name = weighted(b.rng, (("admission_panel", 6), ("sepsis_bundle", 2), ("cardiac_workup", 2)))
    tpl = TEMPLATES[name]
    example, start = corpus.first_occurrence(tpl)
    before, after = corpus.neighbours[name]
    b.add_piece("template", tpl, before, after, example.subject_id, start, start + len(tpl))


def plant_other_copy(b: GenerationBuilder, corpus: Corpus, patient: Patient) -> None:
    """A verbatim stretch of someone else's record: memorization beyond the prompted patient."""
    source = pick_source(b.rng, corpus, patient.subject_id)
    start, end = span_within(b.rng, skewed(b.rng, 16, 80, 15), 0, len(source.tokens),
                             special_position(b.rng, source, 0))
    b.add_record_copy("verbatim", source, start, end)


def plant_near_copy(b: GenerationBuilder, corpus: Corpus, patient: Patient, prompt_len: int):
    """An almost-verbatim stretch (own record away from the prompt, or another patient's)."""
    own_room = len(patient.tokens) - (prompt_len + 5)
    if own_room >= 30 and b.rng.random() < 0.5:
        source, lo = patient, prompt_len + 5
    else:
        source, lo = pick_source(b.rng, corpus, patient.subject_id), 0
    start, end = span_within(b.rng, skewed(b.rng, 20, 100, 20), lo, len(source.tokens),
                             special_position(b.rng, source, lo))
    piece, edits = perturb(b.rng, source.tokens[start:end])
    b.add_record_copy("near", source, start, end, piece, edits)


SCENARIOS = (("novel", 25), ("template", 15), ("self", 25), ("other", 12), ("near", 13),
             ("mixed", 10))


def fill_around(b: GenerationBuilder, total: int, plant) -> None:
    """Novel tokens, the planted piece, novel tokens: the continuation reaches about total."""
    before = b.rng.randint(0, total // 2)
    b.add_novel(before)
    mark = len(b.tokens)
    plant()
    b.add_novel(max(3, total - before - (len(b.tokens) - mark)))


def build_generation(rng: random.Random, corpus: Corpus, patient: Patient, level: int,
                     scenario: str) -> GenerationBuilder:
    """One continuation (40-200 tokens) of the patient's first `level` tokens."""
    record = patient.tokens
    b = GenerationBuilder(rng, record[:level], {record[level]} if level else set())
    total = skewed(rng, 40, 200, 15)
    if scenario == "novel":
        b.add_novel(total)
    elif scenario == "template":
        fill_around(b, total, lambda: plant_template(b, corpus))
    elif scenario == "other":
        fill_around(b, total, lambda: plant_other_copy(b, corpus, patient))
    elif scenario == "near":
        fill_around(b, total, lambda: plant_near_copy(b, corpus, patient, level))
    elif scenario == "self":
        length = min(skewed(rng, 10, 120, 30), len(record) - level)
        b.continue_own_record(patient, length)
        b.add_novel(max(3, total - length))
    else:  # mixed: own-record continuation or template, then a foreign or near copy
        if rng.random() < 0.5:
            b.continue_own_record(patient, min(rng.randint(10, 40), len(record) - level))
        else:
            plant_template(b, corpus)
        b.add_novel(rng.randint(3, 20))
        if rng.random() < 0.5:
            plant_other_copy(b, corpus, patient)
        else:
            plant_near_copy(b, corpus, patient, level)
        b.add_novel(max(rng.randint(3, 20), level + 40 - len(b.tokens)))
    return b


def segments(b: GenerationBuilder, prompt_len: int) -> list[object]:
    """Where each token came from: the prompt, planted span number n, or None (invented).
    Verbatim matches are expected only within one such segment."""
    labels: list[object] = ["prompt" if i < prompt_len else None for i in range(len(b.tokens))]
    for n, span in enumerate(b.planted):
        labels[span.gen_start:span.gen_end] = [n] * (span.gen_end - span.gen_start)
    return labels


def make_generations(rng: random.Random, corpus: Corpus, n: int):
    """Generations plus their truth rows, each redrawn until no unplanted match remains."""
    special = [p for p in corpus.patients if SENSITIVE_OR_RARE & set(p.chronic)] or corpus.patients
    generations, truth = [], []
    for number in range(1, n + 1):
        gen_id = f"gen-{number:04d}"
        patient = rng.choice(special if rng.random() < 0.3 else corpus.patients)
        level = rng.choice((0, 10, 20, 50))
        scenario = weighted(rng, SCENARIOS)
        for _ in range(100):
            b = build_generation(rng, corpus, patient, level, scenario)
            if (40 <= len(b.tokens) - level <= 200
                    and corpus.accidental_hits(b.tokens, segments(b, level)) == 0):
                break
        else:
            raise RuntimeError(f"{gen_id}: could not avoid accidental matches")
        generations.append({"id": gen_id, "patient_id": patient.subject_id,
                            "experiment": "demo", "prompt_level": level,
                            "prompt_length": level, "tokens": b.tokens})
        truth += [truth_row(gen_id, span, corpus, patient, level) for span in b.planted]
    return generations, truth


def truth_row(gen_id: str, span: Planted, corpus: Corpus, patient: Patient,
              prompt_len: int) -> dict:
    """One planted span, with the facts a scan should reproduce (SPEC §4: new tokens, how many
    records hold the source span, whether it is the prompting patient's own record)."""
    source = corpus.by_id[span.record].tokens[span.record_start:span.record_end]
    return {"generation": gen_id, "kind": span.kind,
            "gen_start": span.gen_start, "gen_end": span.gen_end,
            "record": span.record, "record_start": span.record_start,
            "record_end": span.record_end, "edits": span.edits,
            "new_tokens": span.gen_end - max(span.gen_start, prompt_len),
            "records": corpus.count_containing(source),
            "self": span.record == patient.subject_id}


# --------------------------------------------------------------------------------------------
# Clinical notes (text mode)
# --------------------------------------------------------------------------------------------

FEMALE_NAMES = """Maria Linda Patricia Jennifer Elizabeth Barbara Susan Jessica Sarah Karen Nancy
Lisa Betty Sandra Ashley Dorothy Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah
Stephanie Rebecca Aisha Mei""".split()
MALE_NAMES = """James Robert John Michael David William Richard Joseph Thomas Charles Daniel Matthew
Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Omar
Wei""".split()
LAST_NAMES = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez
Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores
Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Okafor Kowalski""".split()

COMPLAINTS = ["chest pain", "shortness of breath", "fever and chills", "abdominal pain",
              "confusion", "a fall at home", "syncope", "hematemesis", "leg swelling",
              "productive cough", "suicidal ideation", "alcohol withdrawal", "palpitations"]
HISTORIES = ["hypertension and type 2 diabetes", "COPD on home oxygen", "HIV on antiretroviral "
             "therapy", "chronic hepatitis C", "opioid use disorder on buprenorphine",
             "alcohol use disorder", "schizophrenia", "major depressive disorder",
             "stage 3 chronic kidney disease", "atrial fibrillation on apixaban",
             "heart failure with reduced ejection fraction", "cystic fibrosis",
             "Marfan syndrome", "prior stroke"]
MEDS_DOSES = [("metoprolol", [25, 50, 100]), ("lisinopril", [5, 10, 20]),
              ("furosemide", [20, 40, 80]), ("apixaban", [2.5, 5]), ("sertraline", [50, 100]),
              ("buprenorphine", [8, 16]), ("olanzapine", [5, 10, 20]), ("metformin", [500, 1000]),
              ("atorvastatin", [20, 40, 80]), ("levothyroxine", [50, 75, 100]),
              ("quetiapine", [25, 100, 200]), ("gabapentin", [300, 600])]
CXR_FINDINGS = ["There is a right lower lobe opacity concerning for pneumonia.",
                "Small bilateral pleural effusions with bibasilar atelectasis.",
                "Mild pulmonary vascular congestion without frank edema.",
                "The lungs are clear.",
                "A left internal jugular central line terminates in the mid SVC.",
                "Hyperinflated lungs consistent with emphysema."]
DIAGNOSES_TEXT = ["community acquired pneumonia", "acute on chronic heart failure",
                  "acute kidney injury", "sepsis from a urinary source",
                  "upper gastrointestinal bleed", "NSTEMI", "alcohol withdrawal",
                  "diabetic ketoacidosis", "COPD exacerbation", "cellulitis of the left leg"]
PSYCH_REASONS = ["depressed mood with passive suicidal ideation", "acute psychosis",
                 "capacity evaluation", "agitation in the setting of opioid withdrawal",
                 "alcohol use disorder and withdrawal risk"]
SPECIMENS = [("colon, sigmoid, biopsy", "tubular adenoma, no high grade dysplasia"),
             ("lung, right upper lobe, wedge resection", "invasive adenocarcinoma, 1.8 cm"),
             ("skin, left forearm, shave", "basal cell carcinoma, margins clear"),
             ("liver, core biopsy", "chronic hepatitis with bridging fibrosis, stage 3"),
             ("lymph node, axillary, excision", "metastatic carcinoma in 2 of 14 nodes")]

NOTE_TEMPLATES = {
    "DS": [
        "DISCHARGE SUMMARY.",
        "Name: {name}. MRN: {mrn}. Admission date: {date}. Discharge date: {date2}.",
        "Attending: Dr. {doctor}.",
        "{name} is a {age} year old {sexword} with a history of {history} who presented "
        "with {complaint}.",
        "Hospital course: the patient was treated for {diagnosis} and improved.",
        "Discharge medications: {med} {dose} mg daily.",
        "The patient was discharged home in stable condition.",
        "Follow up with Dr. {doctor} in {weeks} weeks.",
    ],
    "RR": [
        "EXAMINATION: Chest radiograph, PA and lateral.",
        "INDICATION: {age} year old {sexword} with {complaint}. Patient {name}, MRN {mrn}.",
        "COMPARISON: Radiograph dated {date}.",
        "FINDINGS: {cxr}",
        "The cardiomediastinal silhouette is within normal limits. No pneumothorax.",
        "IMPRESSION: {cxr}",
        "Dictated by Dr. {doctor} on {date2}.",
    ],
    "PN": [
        "Progress note, hospital day {day}.",
        "Patient: {name} (MRN {mrn}).",
        "Subjective: no acute events overnight, reports {complaint} is improving.",
        "Vitals: BP {sbp}/{dbp}, HR {hr}, T {temp} C, SpO2 {spo2}% on room air.",
        "Labs notable for creatinine {creat} mg/dL and hemoglobin {hgb} g/dL.",
        "Assessment and plan: {diagnosis}, continue {med} {dose} mg.",
        "Disposition: anticipate discharge in {weeks} days.",
    ],
    "ED": [
        "Emergency department note, {date} at {clock}.",
        "{name}, date of birth {dob}, MRN {mrn}, arrived by ambulance with {complaint}.",
        "Past medical history is significant for {history}.",
        "Home medications include {med} {dose} mg.",
        "On exam the patient is alert and oriented, heart rate {hr}, blood pressure {sbp}/{dbp}.",
        "The patient was admitted to medicine for further management of {diagnosis}.",
    ],
    "PC": [
        "Psychiatry consultation requested by Dr. {doctor} on {date}.",
        "Identification: {name}, {age} year old {sexword}, MRN {mrn}.",
        "Reason for consult: {psych}.",
        "The patient has a history of {history} and lives {living}.",
        "Current psychiatric medications: {med} {dose} mg at bedtime.",
        "Risk assessment: the patient denies a plan or intent and is future oriented.",
        "Recommendations: continue {med}, social work referral, follow up in clinic.",
    ],
    "PA": [
        "SURGICAL PATHOLOGY REPORT.",
        "Patient: {name}. MRN: {mrn}. Collected: {date}. Received: {date2}.",
        "Specimen: {specimen}.",
        "Final diagnosis: {pathdx}.",
        "Clinical history: {age} year old {sexword} with {history}.",
        "Electronically signed by Dr. {doctor} on {date2}.",
    ],
}


def fake_date(rng: random.Random, year_lo: int = 2018, year_hi: int = 2023) -> str:
    """ISO date; days stop at 28 so that any month is valid without a calendar."""
    return f"{rng.randint(year_lo, year_hi)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def note_slots(rng: random.Random) -> dict[str, object]:
    """Patient-specific details: the identifying part a copied sentence would leak."""
    sex = rng.choice(("man", "woman"))
    med, doses = rng.choice(MEDS_DOSES)
    specimen, pathdx = rng.choice(SPECIMENS)
    date = fake_date(rng)
    cxr = rng.choice(CXR_FINDINGS)
    return {
        "name": f"{rng.choice(FEMALE_NAMES if sex == 'woman' else MALE_NAMES)} "
                f"{rng.choice(LAST_NAMES)}",
        "mrn": f"{rng.randint(10_000_000, 99_999_999)}",
        "date": date, "date2": date[:8] + f"{min(28, int(date[8:]) + rng.randint(1, 9)):02d}",
        "dob": fake_date(rng, 1935, 2000),
        "clock": f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        "doctor": rng.choice(LAST_NAMES), "age": rng.randint(19, 92), "sexword": sex,
        "history": rng.choice(HISTORIES), "complaint": rng.choice(COMPLAINTS),
        "diagnosis": rng.choice(DIAGNOSES_TEXT), "med": med, "dose": rng.choice(doses),
        "weeks": rng.randint(1, 6), "day": rng.randint(2, 9), "cxr": cxr,
        "sbp": rng.randint(95, 175), "dbp": rng.randint(50, 100), "hr": rng.randint(55, 125),
        "temp": f"{rng.uniform(36.2, 39.4):.1f}", "spo2": rng.randint(88, 100),
        "creat": f"{rng.uniform(0.6, 4.5):.1f}", "hgb": f"{rng.uniform(6.8, 15.5):.1f}",
        "psych": rng.choice(PSYCH_REASONS), "specimen": specimen, "pathdx": pathdx,
        "living": rng.choice(("alone", "with family", "in a shelter", "in a group home")),
    }


def render_note(rng: random.Random, kind: str) -> list[str]:
    """A note as its list of sentences (kept apart so generations can copy single sentences)."""
    slots = note_slots(rng)
    return [line.format(**slots) for line in NOTE_TEMPLATES[kind]]


def make_notes(rng: random.Random, n: int) -> list[dict]:
    """Training notes with MIMIC-like ids: '<subject>-<note type>-<sequence>'."""
    notes = []
    for i in range(n):
        kind = rng.choice(sorted(NOTE_TEMPLATES))
        subject = rng.randint(10_000_000, 19_999_999)
        notes.append({"note_id": f"{subject}-{kind}-{i + 1}",
                      "sentences": render_note(rng, kind)})
    return notes


TEXT_TOKEN = re.compile(r"[A-Za-z0-9]+")


def text_tokens(text: str) -> list[tuple[str, int, int]]:
    """SPEC §2 text tokenizer for ASCII input: case-folded letter/digit runs with offsets."""
    return [(m.group().lower(), m.start(), m.end()) for m in TEXT_TOKEN.finditer(text)]


def maximal_text_span(gen: str, gen_lo: int, gen_hi: int, note: str, note_lo: int) -> dict:
    """Token and character extent of the planted copy after extending it as far as it matches.

    Shared template phrasing around a copied sentence legitimately lengthens the verbatim span,
    so the truth is measured on tokens rather than assumed from the planted sentence.
    """
    g, r = text_tokens(gen), text_tokens(note)
    gs = next(i for i, t in enumerate(g) if t[1] >= gen_lo)
    ge = max(i for i, t in enumerate(g) if t[2] <= gen_hi) + 1
    rs = next(i for i, t in enumerate(r) if t[1] >= note_lo)
    re_ = rs + (ge - gs)
    while gs > 0 and rs > 0 and g[gs - 1][0] == r[rs - 1][0]:
        gs, rs = gs - 1, rs - 1
    while ge < len(g) and re_ < len(r) and g[ge][0] == r[re_][0]:
        ge, re_ = ge + 1, re_ + 1
    return {"gen_start": gs, "gen_end": ge, "gen_char_start": g[gs][1],
            "gen_char_end": g[ge - 1][2], "record_start": rs, "record_end": re_,
            "record_char_start": r[rs][1], "record_char_end": r[re_ - 1][2],
            "tokens": [t for t, _, _ in g[gs:ge]]}


def identifying_sentences(sentences: list[str]) -> list[int]:
    """Sentences holding digits (MRNs, dates, doses, vitals): copying them is what leaks."""
    return [i for i, x in enumerate(sentences) if re.search(r"\d", x)] or [0]


def make_note_generations(rng: random.Random, notes: list[dict], n: int):
    """Note generations: fresh notes (shared boilerplate only) and notes splicing in a passage of
    one to three sentences copied verbatim from one training note."""
    generations, truth = [], []
    for number in range(1, n + 1):
        gen_id = f"note-gen-{number:03d}"
        kind = rng.choice(sorted(NOTE_TEMPLATES))
        # each part is (sentence, None) or (sentence, (source note, index of the copied sentence))
        parts: list[tuple[str, tuple | None]] = [(x, None) for x in render_note(rng, kind)]
        if rng.random() < 0.6:
            source = rng.choice(notes)
            first = rng.choice(identifying_sentences(source["sentences"]))
            passage = range(first, min(first + rng.choice((1, 2, 2, 3)), len(source["sentences"])))
            slot = rng.randint(0, len(parts))
            parts[slot:slot] = [(source["sentences"][i], (source, i)) for i in passage]
        sentences = [sentence for sentence, _ in parts]
        text = " ".join(sentences)
        generations.append({"id": gen_id, "experiment": "demo", "text": text})
        rows = [note_truth_row(gen_id, sentences, slot, origin[0], origin[1], text)
                for slot, (_, origin) in enumerate(parts) if origin]
        truth += unique_rows(rows)  # the sentences of one passage extend into a single span
    for row in truth:
        row["records"] = count_notes_containing(notes, row["tokens"])
        del row["tokens"]
    return generations, truth


def unique_rows(rows: list[dict]) -> list[dict]:
    """Two copied sentences adjacent in both texts extend into one maximal span: report it once."""
    seen, out = set(), []
    for row in rows:
        key = (row["gen_start"], row["gen_end"], row["record"])
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def count_notes_containing(notes: list[dict], tokens: list[str]) -> int:
    """How many notes hold the span's tokens verbatim (the 'records' of SPEC §4)."""
    needle = SEP + SEP.join(tokens) + SEP
    return sum(needle in SEP + SEP.join(t for t, _, _ in text_tokens(" ".join(n["sentences"])))
               + SEP for n in notes)


def note_truth_row(gen_id, sentences, slot, source, src_idx, text) -> dict:
    """Locate a copied sentence in both texts and report its maximal verbatim extent."""
    gen_lo = len(" ".join(sentences[:slot])) + (1 if slot else 0)
    gen_hi = gen_lo + len(sentences[slot])
    note_text = " ".join(source["sentences"])
    note_lo = len(" ".join(source["sentences"][:src_idx])) + (1 if src_idx else 0)
    row = {"generation": gen_id, "kind": "verbatim", "record": source["note_id"], "edits": 0}
    row.update(maximal_text_span(text, gen_lo, gen_hi, note_text, note_lo))
    return row


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------

README = """\
# memscan demo data (synthetic)

Everything here is synthetic: no real patient is represented. The files are regenerated,
byte for byte, by `python3 scripts/make_sample.py --out sample` (seed {seed}).

- `records.jsonl`: {n_records} training records, codes mode, `{{"subject_id", "tokens"}}`, with
  MEDS-style tokens: `GENDER//F`, `AGE//53`, `ADMISSION//EMERGENCY`, `DIAGNOSIS//<ICD-10>`,
  `LAB//<item>//Low|Normal|High`, `MEDICATION//<name>`, `PROCEDURE//<ICD-10-PCS>`,
  `TIME//<days>`. Some patients carry sensitive codes (B20, B18.2, F11.20, F10.20, F32.9,
  F20.9) or a rare condition held by one or two patients; standard order sets (admission
  panel, sepsis bundle, cardiac work-up) recur verbatim in many records.
- `generations.jsonl`: {n_generations} model generations: `id`, `patient_id` (the prompting
  patient), `experiment`, `prompt_level` = `prompt_length` (the first 0/10/20/50 tokens of that
  patient's record), `tokens` (prompt + continuation).
- `truth.jsonl`: every planted span: `kind` (`verbatim`, `near`, `template`), positions in the
  generation and the record (0-based, end-exclusive, SPEC §4), measured token `edits`,
  `new_tokens` beyond the prompt, `records` (how many records hold the source span) and `self`
  (source is the prompting patient). A template row names the first record holding it.
  Verbatim spans are maximal, and every run of {k}+ generation tokens that matches a record
  lies inside the prompt or inside one planted span.
- `notes.jsonl`: {n_notes} clinical notes, text mode, `{{"note_id", "text"}}`, from six
  templates with fake names, MRNs, dates, doses and findings.
- `note_generations.jsonl`: {n_note_gens} note generations, `{{"id", "experiment", "text"}}`;
  some splice in one to three sentences copied verbatim from a note.
- `note_truth.jsonl`: those copied passages as maximal verbatim spans, in text-mode tokens
  (`gen_start`, ...) and characters (`gen_char_start`, ...). Boilerplate shared by many notes
  is not listed.

Planted spans: {span_counts}.

```
memscan index build -o demo.index sample/records.jsonl
memscan scan --index demo.index --group-by prompt_level sample/generations.jsonl
memscan index build --tokenizer text -o notes.index sample/notes.jsonl
memscan scan --index notes.index sample/note_generations.jsonl
```
"""


def write_jsonl(path: Path, rows: list[dict]) -> None:
    """Compact separators: the bundle ships with the repository, so bytes matter."""
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, separators=(",", ":"), ensure_ascii=False) + "\n")


def span_counts(truth: list[dict]) -> dict[str, int]:
    """Planted spans by kind, verbatim split into own-record (self) and other-record copies."""
    counts: dict[str, int] = {}
    for row in truth:
        kind = row["kind"]
        if kind == "verbatim":
            kind += " (self)" if row["self"] else " (other)"
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def main() -> None:
    """Build everything from one seeded PRNG, in a fixed order, so output is reproducible."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("sample"), help="output folder")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--generations", type=int, default=160)
    parser.add_argument("--notes", type=int, default=100)
    parser.add_argument("--note-generations", type=int, default=50)
    parser.add_argument("--check-k", type=int, default=10,
                        help="no unplanted verbatim run of this many tokens may occur")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    patients = make_patients(rng, args.records)
    corpus = Corpus(patients, args.check_k)
    generations, truth = make_generations(rng, corpus, args.generations)
    notes = make_notes(rng, args.notes)
    note_gens, note_truth = make_note_generations(rng, notes, args.note_generations)

    args.out.mkdir(parents=True, exist_ok=True)
    write_jsonl(args.out / "records.jsonl",
                [{"subject_id": p.subject_id, "tokens": p.tokens} for p in patients])
    write_jsonl(args.out / "generations.jsonl", generations)
    write_jsonl(args.out / "truth.jsonl", truth)
    write_jsonl(args.out / "notes.jsonl",
                [{"note_id": n["note_id"], "text": " ".join(n["sentences"])} for n in notes])
    write_jsonl(args.out / "note_generations.jsonl", note_gens)
    write_jsonl(args.out / "note_truth.jsonl", note_truth)
    counts = span_counts(truth)
    counts_text = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    counts_text += f" in generations; {len(note_truth)} copied note passages"
    (args.out / "README.md").write_text(README.format(
        seed=args.seed, n_records=len(patients), n_generations=len(generations),
        n_notes=len(notes), n_note_gens=len(note_gens), k=args.check_k,
        span_counts=counts_text), encoding="utf-8")
    print(f"wrote {args.out}: {counts_text}")


if __name__ == "__main__":
    main()
