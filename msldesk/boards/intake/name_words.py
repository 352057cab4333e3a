"""The words of names and credentials: degrees as the professions write them, degrees spelled out,
courtesy titles, ranks, generational suffixes and the particles of family names."""

from __future__ import annotations

# The tables stay as written, several words to a line: one per line would make them hard to read.
# fmt: off

# Degrees and other post-nominals, as the profession writes them.
DEGREES: tuple[str, ...] = (
    "MD", "DO", "PhD", "PharmD", "RPh", "RN", "NP", "PA", "PA-C", "MBBS", "MBChB", "MB", "BCh", "FRCP",
    "FRCPC", "FRCS", "FRCR", "MRCP", "FACC", "FACP", "FACS", "FAAN", "FAAP", "FACOG", "FACE", "FASCO",
    "FESC", "FCCP", "FAHA", "MPH", "MSc", "MS", "MA", "MBA", "BSc", "BS", "DNP", "CRNA", "CNS", "CNM",
    "DDS", "DMD", "DPM", "OD", "DC", "PsyD", "EdD", "JD", "ScD", "DrPH", "MSN", "BSN", "APRN", "FNP",
    "FNP-BC", "LPN", "LCSW", "DPT", "PT", "RD", "MHS", "MHA", "MSCR", "MMed", "MSPH", "DSc", "AA",
    "Dr. med.", "Dr. rer. nat.", "Dr. med. dent.", "PD", "Priv.-Doz.",
)
# German doctorates written without their dots.
GERMAN_DOCTORATES = {"dr med": "Dr. med.", "dr rer nat": "Dr. rer. nat.", "dr med dent": "Dr. med. dent."}
# Open Payments writes the recipient type out in words.
DEGREE_WORDS = {
    "medical doctor": "MD",
    "doctor of medicine": "MD",
    "doctor of osteopathy": "DO",
    "doctor of osteopathic medicine": "DO",
    "doctor of dentistry": "DDS",
    "doctor of dental surgery": "DDS",
    "doctor of podiatric medicine": "DPM",
    "doctor of optometry": "OD",
    "chiropractor": "DC",
    "doctor of chiropractic": "DC",
    "physician assistant": "PA",
    "nurse practitioner": "NP",
    "certified registered nurse anesthetist": "CRNA",
    "clinical nurse specialist": "CNS",
    "certified nurse midwife": "CNM",
    "anesthesiologist assistant": "AA",
    "doctor of pharmacy": "PharmD",
    "doctor of philosophy": "PhD",
}
GENERATIONS = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})
# Kept as a credential only while no degree is known ("Dr." says less than "MD, PhD").
DOCTOR = frozenset({"dr", "doctor", "dott", "dra"})
RANKS = {"prof": "Prof.", "professor": "Prof.", "univ-prof": "Prof."}
POLITE = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "herr", "frau", "sir", "dame", "madam", "mme", "sr", "sra", "srta",
    "monsieur", "madame", "fr", "hr",
})
# Degrees that are also surnames (Jun Ma, Anh Do): after a comma they are degrees, at the end of a
# name without one they are part of it.
SURNAME_LIKE = frozenset({"ma", "ms", "do", "pa", "od", "dc", "pt", "rd", "mb", "aa", "pd", "bs", "jd", "v"})
# German doctorates name their faculty: "Dr. med.", "Dr. rer. nat.", "Dr. h. c.".
DR_SUBJECTS = frozenset({
    "med", "rer", "nat", "phil", "dent", "jur", "habil", "sc", "hc", "pharm", "vet", "oec", "pol", "ing",
    "theol", "biol",
})
# Family-name particles: "Ludwig van Beethoven" is Ludwig, van Beethoven.
PARTICLES = frozenset({
    "van", "von", "de", "da", "del", "della", "der", "den", "di", "du", "la", "le", "ter", "ten", "dos",
    "das", "do", "st", "bin", "ibn", "al", "el", "zu", "y",
})

# fmt: on
