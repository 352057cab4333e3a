"""The words people files use, as header_key writes them: the column headers that name each person
field, and the words in cells that say yes or no, a role at the event, or an answer to an invitation."""

from __future__ import annotations

from msldesk.boards.records import AttendeeRole, Invitation

# The tables stay as written, several words to a line: one per line would make them hard to read.
# fmt: off

# Normalised header (see header_key) -> target. Exact matches only, so "Recording Consent",
# "E-mail Display Name" or "First join" never land on consent, email or first name by accident.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "first_name": (
        "first name", "firstname", "first", "given name", "givenname", "given", "forename", "fname",
        "vorname", "prenom", "nombre", "christian name",
    ),
    "last_name": (
        "last name", "lastname", "last", "surname", "family name", "familyname", "lname", "nachname",
        "familienname", "nom", "nom de famille", "apellido", "apellidos",
    ),
    "full_name": (
        "name", "full name", "fullname", "display name", "displayname", "name original name",
        "user name original name", "user name", "participant", "participant name", "attendee",
        "attendee name", "contact name", "contact", "registrant", "registrant name", "teilnehmer",
        "person", "physician name", "hcp name", "kol name", "speaker", "speaker name",
    ),
    "credentials": (
        "title", "titel", "akademischer titel", "academic title", "degree", "degrees", "credentials",
        "credential", "suffix", "name suffix", "prefix", "name prefix", "salutation", "primary type",
        "professional designation", "qualifications",
    ),
    "specialty": (
        "specialty", "speciality", "specialties", "specialities", "primary specialty", "taxonomy",
        "primary taxonomy", "taxonomy description", "fachrichtung", "fachgebiet", "specialite",
    ),
    "institution": (
        "organization", "organisation", "organization name", "organisation name", "company",
        "company name", "hospital", "affiliation", "institution", "institution name", "employer",
        "practice", "practice name", "clinic", "account", "account name", "university", "firma",
        "einrichtung", "klinik", "krankenhaus", "institut", "unternehmen",
    ),
    "city": ("city", "town", "ort", "stadt", "ville", "ciudad", "locality"),
    "state": ("state", "province", "region", "state province", "state or province", "county state",
              "bundesland", "state code"),
    "country": ("country", "country region", "nation", "land", "pays", "pais", "country code"),
    "email": (
        "email", "e mail", "email address", "e mail address", "emailaddress", "mail", "e mail adresse",
        "email adresse", "mail address", "courriel", "correo", "correo electronico",
    ),
    "phone": (
        "phone", "telephone", "tel", "phone number", "telephone number", "mobile", "mobile phone",
        "mobile number", "cell", "cell phone", "cellphone", "telefon", "telefonnummer", "handy",
        "mobil", "mobilnummer", "telefono",
    ),
    "npi": ("npi", "npi number", "national provider identifier", "npi id", "provider npi"),
    "tier": ("tier", "fmv tier", "kol tier", "tier level", "segment tier"),
    "notes": ("notes", "note", "comment", "comments", "kommentar", "bemerkung", "bemerkungen",
              "remarks", "uber mich", "about me", "about"),
    "consent_to_contact": (
        "consent", "consent to contact", "contact consent", "consent given", "opt in", "optin",
        "einwilligung", "gdpr consent",
    ),
    "role": ("role", "attendee role", "participant role", "rolle", "event role"),
    "invitation": (
        "rsvp", "status", "registration status", "invitation", "invitation status", "invite status",
        "response", "response status", "approval status", "attending", "teilnahme", "zusage",
    ),
    "": ("zip", "zip code", "zipcode", "postal code", "postcode", "plz", "postleitzahl"),
}
# Words that only say which of several columns this is ("Home City", "Recipient_State", "Email Work").
HEADER_PREFIXES = (
    "covered recipient ", "physician ", "recipient ", "user ", "attendee ", "participant ", "contact ",
    "registrant ", "address ", "person ",
)
HEADER_QUALIFIERS = frozenset({
    "home", "work", "business", "primary", "other", "secondary", "private", "personal", "office", "main",
    "value", "1st", "2nd",
})

# A consent column's yes and no.
YES_WORDS = frozenset({
    "yes", "y", "true", "t", "1", "x", "ja", "j", "oui", "si", "opt in", "opted in", "agreed", "consented",
    "granted", "checked",
})
NO_WORDS = frozenset({
    "no", "n", "false", "f", "0", "nein", "non", "opt out", "opted out", "declined", "refused", "withdrawn",
    "unchecked",
})

# A role column's words, by the role they name.
ROLE_WORDS: dict[AttendeeRole, tuple[str, ...]] = {
    AttendeeRole.CHAIR: ("chair", "chairperson", "chairman", "chairwoman", "co chair", "cochair", "vorsitz",
                         "vorsitzender", "vorsitzende", "president"),
    AttendeeRole.ADVISOR: ("advisor", "adviser", "advisory board member", "board member", "consultant", "kol",
                           "panelist", "panellist", "expert", "berater", "beraterin",
                           "attendee", "participant"),  # a Teams/Zoom report's plain attendee
    AttendeeRole.FACULTY: ("faculty", "speaker", "presenter speaker", "lecturer", "referent", "referentin",
                           "trainer", "instructor", "presenter"),
    AttendeeRole.MODERATOR: ("moderator", "facilitator", "moderatorin"),
    AttendeeRole.INTERNAL: ("internal", "employee", "staff", "msl", "sponsor", "organizer", "organiser",
                            "host", "co host", "cohost", "mitarbeiter", "company", "co organizer",
                            "co organiser", "coorganizer", "coorganiser"),
    AttendeeRole.OBSERVER: ("observer", "guest", "listener", "beobachter", "gast", "auditor"),
}

# An RSVP or registration status column's words, by the answer they give.
INVITATION_WORDS: dict[Invitation, tuple[str, ...]] = {
    Invitation.ACCEPTED: ("accepted", "accept", "yes", "y", "attending", "registered", "confirmed", "going",
                          "approved", "attended", "zugesagt", "zusage", "angemeldet", "ja"),
    Invitation.DECLINED: ("declined", "decline", "no", "n", "not attending", "regrets", "cancelled",
                          "canceled", "denied", "rejected", "abgesagt", "absage", "nein"),
    Invitation.TENTATIVE: ("tentative", "maybe", "tentatively accepted", "vielleicht", "unsure"),
    Invitation.WAITLISTED: ("waitlist", "waitlisted", "wait list", "wait listed", "waiting list",
                            "warteliste"),
    Invitation.INVITED: ("invited", "pending", "sent", "needs action", "awaiting response", "no response",
                         "eingeladen", "offen"),
    Invitation.NOT_SENT: ("not sent", "not invited", "draft", "to invite"),
}

# fmt: on
