"""Word lists behind the heuristics: stopwords, calendar and title words, name heads, verbs, demonyms.

Stopwords and calendar words also keep tokens out of fuzzy matching; the rest serve the new-entity proposals.
"""

from __future__ import annotations

# Capitalised only because they open a sentence (or a headline); never names on their own.
STOPWORDS: frozenset[str] = frozenset(
    """
    A An The This That These Those There Here It Its We I You He She They Our Their His Her
    My Your In On At By For From With Without Into Of To As And But Or Nor So Yet If When
    While Where After Before Since Until During Earlier Later Today Yesterday Tomorrow
    Tonight Now Then Meanwhile However Also Although Though Even Still Last Next Due
    According Despite Following Amid Among Between Over Under Some Many Most Such Other
    Another Each Every All Both No Not One Two Three Please Why What Who How Which Whose
    Photo Photos Video Read More Related Share Comment
    """.split()
)
_STOPWORDS_FOLDED = frozenset(word.casefold() for word in STOPWORDS)

CALENDAR_WORDS: frozenset[str] = frozenset(
    """
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April
    May June July August September October November December
    """.split()
)
_CALENDAR_FOLDED = frozenset(word.casefold() for word in CALENDAR_WORDS)

# A title before a name makes it a person; the title itself is not part of the name.
TITLE_WORDS: frozenset[str] = frozenset(
    """
    President Vice Prime Minister Chancellor Secretary Senator Governor Mayor Ambassador
    Spokesman Spokeswoman Spokesperson Commissioner Chairman Chairwoman Chair
    Colonel Captain Judge King Queen Prince Princess Pope Rabbi Sheikh Leader Premier
    Deputy Director Mr Mrs Ms Dr Sir Lady Lord
    """.split()
)
_TITLE_FOLDED = frozenset(word.casefold() for word in TITLE_WORDS)
# Object of "Secretary of State", "Minister of Defence": still part of the title.
TITLE_OBJECTS: frozenset[str] = frozenset(
    "State Defense Defence Health Justice Interior Finance Foreign Affairs Home".split()
)

ORGANIZATION_HEADS: frozenset[str] = frozenset(
    """
    Ministry Union Commission Council Committee Department Agency Party Bank Court
    Parliament Office Organization Organisation Association Movement Corporation Company
    Group Institute University Service Police Army Forces Assembly Duma Senate Congress
    Government Cabinet Fund Front Alliance League Federation Inc Ltd Corp News Times Post
    """.split()
)
PLACE_HEADS: frozenset[str] = frozenset(
    "Republic City Region Province Oblast District County Island Islands Square Street".split()
)
EVENT_HEADS: frozenset[str] = frozenset(
    "Election Elections Protests Summit War Revolution Games Olympics Festival Crisis".split()
)
# "Ministry of Foreign Affairs": "of" continues a name only after an organisation head.
_OF_CONTINUES = ORGANIZATION_HEADS | PLACE_HEADS

# Words after which a capitalised single word is a mis-capitalised verb ("Spoke with").
FUNCTION_WORDS: frozenset[str] = frozenset(
    "that the a an with to on in of at for his her their its it them him about by".split()
)
COMMON_VERBS: frozenset[str] = frozenset(
    """
    said says told spoke speaks added noted argued claimed stated warned urged called
    condemned denied accused announced insisted explained declared wrote replied
    """.split()
)
# Demonym/adjective shapes ("Belarusian", "European", "Chinese", "Polish", "Eastern"), plus
# common demonyms the suffixes miss; broader suffixes ("-an", "-i") would eat Iran or Delhi.
_ADJECTIVE_SUFFIXES = ("ian", "ean", "ese", "ish", "ern")
DEMONYMS: frozenset[str] = frozenset(
    """
    German American African Mexican Cuban Moroccan Kenyan Afghan Thai Iraqi Israeli Pakistani
    Saudi Yemeni Dutch French Greek Swiss Czech Arab Soviet Baltic Islamic Catholic Arabic
    """.split()
)
_CREDIT_WORDS = frozenset("photo photos credit credits via source pool file handout".split())
