"""Builds ``voice_eval_hard.json``: a large catalogue and what listeners say for it, heard by ASR.

The catalogue is 44 rooms of many kinds (concerts, DJ sets, talk, sports talk, a church
service, language lessons, a book club, kids' stories, podcast tapings) with hosts whose
names speech recognition mangles, near-duplicate titles, numbers in titles, one host with
two rooms and rooms that are off air. Each room has the requests a listener would make
(its title, parts of it, its host, its kind, words from its description, words from two
fields at once), and the set has as many requests again for rooms that do not exist, many
of them close to a real room (another sport, language, dance or instrument).

Every request is then "heard" by a model of how recognisers fail that knows nothing of the
matcher: homophones and near-homophones of whole words, names heard as the common words
they sound like, split and joined compounds, number words against digits, abbreviations,
dropped or added small words and possessives. The model is seeded, so the file is the same
on every run: ``python -m bench.voice_eval_hard_make`` rewrites it.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

OUT = Path(__file__).with_name("voice_eval_hard.json")

#: id, title, host, genre, topics, description, live
ROOMS: list[tuple[str, str, str, str, list[str], str, bool]] = [
    ("jazz-night", "Late Night Jazz Concert", "Mia Santos", "jazz", ["saxophone", "standards"],
     "Mia plays Coltrane's Giant Steps and ballads from the Blue Note years.", True),
    ("latin-jazz", "Latin Jazz Sessions", "Carlos Ortega", "latin jazz", ["salsa", "congas"],
     "Mambo, bossa nova and Afro-Cuban grooves with a live conga player.", True),
    ("bebop-hour", "Bebop Hour", "Niamh O'Sullivan", "bebop", ["trumpet"],
     "Fast tempos and Charlie Parker heads with Niamh on trumpet.", True),
    ("deep-house", "Deep House Sunday", "DJ Kofi", "deep house", ["vinyl"],
     "Three hours of deep house on vinyl, from Chicago to Johannesburg.", True),
    ("techno-bunker", "Techno Bunker", "Wojciech Kowalczyk", "techno", ["berlin"],
     "Hard techno from a Berlin basement.", True),
    ("drum-bass", "Drum and Bass Pressure", "Adebayo Ogunleye", "drum and bass", ["jungle"],
     "Jungle and liquid drum and bass, all night.", True),
    ("morning-talk", "Morning Talk with Sam", "Sam Okafor", "talk", ["news", "politics"],
     "The day's headlines and a phone-in.", True),
    ("football-talk", "Football Phone-In", "Siobhan Murphy", "sports talk", ["football", "premier league"],
     "Callers on the weekend's Premier League games.", True),
    ("cricket-corner", "Cricket Corner", "Arjun Venkataraman", "sports talk", ["cricket"],
     "Test match analysis with Arjun.", True),
    ("basketball-late", "Late Night Hoops", "Marcus Reed", "sports talk", ["basketball", "nba"],
     "NBA scores and trade rumours.", True),
    ("sunday-service", "Sunday Morning Service", "Pastor Grace Adeyemi", "gospel", ["church", "worship"],
     "Worship, a sermon and the choir of St Luke's.", True),
    ("spanish-lessons", "Spanish for Beginners", "Lucía Fernández", "language lessons", ["spanish"],
     "Learn Spanish in twenty minutes a day.", True),
    ("french-lessons", "French Conversation Club", "Hélène Dubois", "language lessons", ["french"],
     "Practise spoken French with native speakers.", True),
    ("book-club", "The Tuesday Book Club", "Thanh Nguyen", "books", ["literature", "reading"],
     "This month: One Hundred Years of Solitude by Gabriel García Márquez.", True),
    ("kids-stories", "Bedtime Stories for Kids", "Aunt Priya", "kids", ["stories", "children"],
     "Gentle stories before sleep, tonight The Gruffalo.", True),
    ("podcast-taping", "Tech Talk Podcast Taping", "Dev Patel", "technology", ["podcast", "startups"],
     "A live taping with a guest from a robotics startup.", True),
    ("studio-4", "Studio 4 Sessions", "Rosa Jiménez", "indie", ["acoustic"],
     "Acoustic sets recorded live in studio four.", True),
    ("studio-40", "Studio 40 Live", "Kenji Watanabe", "rock", ["guitar"],
     "A forty-minute rock set from studio forty.", True),
    ("route-66", "Route 66 Radio", "Dolores Hayes", "americana", ["road trip"],
     "Songs for the open road.", True),
    ("seventies-soul", "Seventies Soul", "Mister Earl Jones", "soul", ["motown", "funk"],
     "Soul and funk from 1970 to 1979.", True),
    ("rock-n-roll", "Rock and Roll Revival", "Johnny Castellano", "rock and roll", ["fifties"],
     "Chuck Berry, Little Richard and the birth of rock and roll.", True),
    ("indie-hour", "Indie Rock Hour", "The Loud Kids", "indie rock", ["guitars"],
     "New indie guitar bands.", True),
    ("classical-piano", "Piano Recital Live", "Ewa Zielińska", "classical", ["piano", "chopin"],
     "Chopin nocturnes and a Beethoven sonata.", True),
    ("opera-night", "A Night at the Opera", "Giuseppe Romano", "opera", ["verdi"],
     "Highlights from La Traviata.", True),
    ("bluegrass", "Bluegrass Breakdown", "Cody Mcallister", "bluegrass", ["banjo", "fiddle"],
     "Banjo and fiddle tunes from the Appalachians.", True),
    ("reggae-roots", "Roots Reggae Vibes", "Yaw Mensah", "reggae", ["dub"],
     "Roots, rock, reggae and dub plates.", True),
    ("kpop-live", "K-Pop Countdown", "Ji-woo Park", "k-pop", ["idols"],
     "This week's K-pop chart.", True),
    ("afrobeats", "Afrobeats Party", "Chidi Okeke", "afrobeats", ["lagos"],
     "The biggest afrobeats from Lagos and Accra.", True),
    ("meditation", "Guided Meditation", "Saoirse Byrne", "wellness", ["mindfulness", "sleep"],
     "A calm guided meditation for sleep.", True),
    ("comedy-night", "Stand-Up Comedy Night", "Tomasz Nowak", "comedy", ["stand-up"],
     "Five comics, five minutes each.", True),
    ("true-crime", "True Crime Hour", "Ngozi Eze", "true crime", ["mystery"],
     "Unsolved cases and the detectives who worked them.", True),
    ("gardening", "The Gardening Show", "Bartholomew Finch", "gardening", ["plants"],
     "Your questions on roses, tomatoes and lawns.", True),
    ("cooking-live", "Cooking with Nonna", "Nonna Lucia", "cooking", ["italian", "recipes"],
     "Fresh pasta and Sunday sauce.", True),
    ("samba-class", "Samba Dance Class", "Thiago Souza", "dance class", ["samba", "brazil"],
     "Learn the basic samba step.", True),
    ("salsa-music", "Salsa Caliente", "Marisol Vega", "salsa", ["latin"],
     "Salsa hits from New York and Cali.", True),
    ("mia-acoustic", "Mia Unplugged", "Mia Santos", "acoustic", ["songwriting"],
     "Mia's own songs on acoustic guitar.", True),
    ("saint-patrick", "Saint Patrick's Day Special", "Ciarán Ó Briain", "irish folk", ["fiddle", "pipes"],
     "Reels and jigs for St Patrick's Day.", True),
    ("doctor-who", "Doctor Science Live", "Dr Amara Singh", "science", ["space", "physics"],
     "Black holes explained for everyone.", True),
    ("ninety-nine", "99 Problems Podcast", "Keisha Brown", "hip hop", ["interviews"],
     "Interviews with rappers and producers.", True),
    ("lofi-beats", "Lo-Fi Beats to Study To", "Hiro Tanaka", "lofi", ["study", "chill"],
     "Chill beats for studying.", True),
    # off air: asking for them must never play them live
    ("blues-club", "Chicago Blues Club", "Big Walter Jackson", "blues", ["harmonica"],
     "Electric Chicago blues with harmonica.", False),
    ("german-lessons", "German in Ten Minutes", "Jürgen Schmidt", "language lessons", ["german"],
     "Short German lessons for travellers.", False),
    ("tennis-talk", "Tennis Talk", "Aleksandra Wiśniewska", "sports talk", ["tennis"],
     "Grand slam previews.", False),
    ("poetry-slam", "Poetry Slam", "Oluwaseun Adeyemi", "poetry", ["spoken word"],
     "Open mic poetry.", False),
]

#: what listeners say for each room, before the recogniser hears it
REQUESTS: dict[str, list[str]] = {
    "jazz-night": ["late night jazz concert", "the late night jazz", "mia santos's jazz concert",
                   "giant steps", "late night jazz with mia"],
    "latin-jazz": ["latin jazz sessions", "latin jazz", "carlos ortega", "the latin jazz room",
                   "bossa nova", "afro cuban grooves"],
    "bebop-hour": ["bebop hour", "niamh o'sullivan", "niamh's bebop", "charlie parker"],
    "deep-house": ["deep house sunday", "deep house", "dj kofi", "kofi's deep house"],
    "techno-bunker": ["techno bunker", "wojciech kowalczyk", "the techno bunker", "berlin techno"],
    "drum-bass": ["drum and bass pressure", "drum and bass", "adebayo ogunleye", "jungle music"],
    "morning-talk": ["morning talk with sam", "morning talk", "sam okafor", "sam's morning talk"],
    "football-talk": ["football phone in", "siobhan murphy", "premier league phone in",
                      "the football show", "siobhan's football phone in"],
    "cricket-corner": ["cricket corner", "arjun venkataraman", "cricket talk", "test match analysis"],
    "basketball-late": ["late night hoops", "marcus reed", "nba talk", "basketball talk"],
    "sunday-service": ["sunday morning service", "church service", "pastor grace adeyemi",
                       "sunday worship", "pastor grace"],
    "spanish-lessons": ["spanish for beginners", "spanish lessons", "lucia fernandez",
                        "learn spanish"],
    "french-lessons": ["french conversation club", "french lessons", "helene dubois",
                       "french conversation"],
    "book-club": ["the tuesday book club", "book club", "thanh nguyen", "one hundred years of solitude",
                  "tuesday book club"],
    "kids-stories": ["bedtime stories for kids", "bedtime stories", "aunt priya", "the gruffalo",
                     "stories for kids"],
    "podcast-taping": ["tech talk podcast taping", "tech talk", "dev patel", "tech podcast taping"],
    "studio-4": ["studio 4 sessions", "studio four", "rosa jimenez", "studio four sessions"],
    "studio-40": ["studio 40 live", "studio forty", "kenji watanabe", "studio forty live"],
    "route-66": ["route 66 radio", "route sixty six", "dolores hayes", "route sixty six radio"],
    "seventies-soul": ["seventies soul", "mister earl jones", "seventies soul music", "earl jones"],
    "rock-n-roll": ["rock and roll revival", "rock n roll revival", "johnny castellano",
                    "rock and roll"],
    "indie-hour": ["indie rock hour", "the loud kids", "indie rock"],
    "classical-piano": ["piano recital live", "piano recital", "ewa zielinska", "chopin nocturnes"],
    "opera-night": ["a night at the opera", "night at the opera", "giuseppe romano", "la traviata"],
    "bluegrass": ["bluegrass breakdown", "bluegrass", "cody mcallister", "banjo and fiddle"],
    "reggae-roots": ["roots reggae vibes", "reggae", "yaw mensah", "roots reggae"],
    "kpop-live": ["k pop countdown", "kpop", "ji woo park", "k pop chart"],
    "afrobeats": ["afrobeats party", "afrobeats", "chidi okeke", "chidi's afrobeats party"],
    "meditation": ["guided meditation", "meditation", "saoirse byrne", "meditation for sleep"],
    "comedy-night": ["stand up comedy night", "comedy night", "tomasz nowak", "stand up comedy"],
    "true-crime": ["true crime hour", "true crime", "ngozi eze", "unsolved cases"],
    "gardening": ["the gardening show", "gardening show", "bartholomew finch", "gardening"],
    "cooking-live": ["cooking with nonna", "nonna lucia", "italian cooking", "fresh pasta"],
    "samba-class": ["samba dance class", "samba class", "thiago souza", "learn samba"],
    "salsa-music": ["salsa caliente", "marisol vega", "salsa music"],
    "mia-acoustic": ["mia unplugged", "mia santos unplugged", "mia's acoustic songs"],
    "saint-patrick": ["saint patrick's day special", "st patrick's day special", "ciaran o briain",
                      "irish folk"],
    "doctor-who": ["doctor science live", "dr science", "dr amara singh", "black holes explained"],
    "ninety-nine": ["99 problems podcast", "ninety nine problems", "keisha brown",
                    "ninety nine problems podcast"],
    "lofi-beats": ["lo fi beats to study to", "lofi beats", "hiro tanaka", "study beats"],
    "blues-club": ["chicago blues club", "big walter jackson", "chicago blues"],
    "german-lessons": ["german in ten minutes", "german lessons", "jurgen schmidt"],
    "tennis-talk": ["tennis talk", "aleksandra wisniewska"],
    "poetry-slam": ["poetry slam", "oluwaseun adeyemi"],
}

#: rooms that do not exist, many close to one that does
NO_SUCH_ROOM: list[str] = [
    "salsa dance class", "tango lessons", "ballet class", "italian lessons", "portuguese lessons",
    "japanese lessons", "rugby talk", "baseball talk", "golf talk", "hockey phone in",
    "country music", "heavy metal", "punk rock", "trance", "dubstep", "grime", "flamenco",
    "mariachi", "polka", "death metal", "cello recital", "violin recital", "guitar lessons",
    "jazz piano lessons", "morning yoga", "knitting circle", "chess club", "film review",
    "movie night", "horror stories", "cooking with grandma", "baking show", "car talk",
    "stock market news", "weather report", "traffic update", "bingo night", "karaoke night",
    "late night movies", "sunday brunch", "evening prayer", "bible study", "quran recitation",
    "studio 5 sessions", "route 77 radio", "eighties pop", "nineties rave", "sixties soul",
    "techno for kids", "latin pop", "k drama talk", "anime talk", "poetry for kids",
    "mia's cooking show", "sam's football show", "dr who", "pastor john", "dj shadow",
    "the book of mormon", "harry potter audiobook", "opera for beginners", "sleep sounds",
    "rain sounds", "whale songs", "french cooking", "spanish guitar", "reggaeton",
    "bollywood hits", "qawwali", "fado", "cumbia", "zydeco", "skiffle", "grunge",
    "shoegaze", "emo night", "ska", "disco fever",
]

#: how recognisers mis-hear whole words (homophones, near-homophones, common-word captures)
MISHEARD: dict[str, list[str]] = {
    "night": ["nite", "knight"], "late": ["lake", "eight"], "jazz": ["jas", "jazzed"],
    "mia": ["maya", "me a"], "santos": ["santo's", "sandoz"], "niamh": ["neve", "nieve", "neeve"],
    "siobhan": ["shivaun", "chevonne", "shavon"], "saoirse": ["sirsha", "seersha", "searsha"],
    "wojciech": ["voy check", "voytek"], "kowalczyk": ["kovalchik", "kowal chick"],
    "adebayo": ["ade bayo", "adebio"], "ogunleye": ["ogun lay", "ogunlaye"],
    "okafor": ["okay for", "okafour"], "nguyen": ["win", "new yen", "nuyen"], "thanh": ["tan", "tahn"],
    "venkataraman": ["venkat raman", "venkatraman"], "arjun": ["are june", "arjan"],
    "ngozi": ["in gozi", "ngozzi"], "eze": ["ezay", "easy"], "chidi": ["cheddy", "chiddy"],
    "okeke": ["okay kay", "o keke"], "yaw": ["yo", "yawn"], "mensah": ["mensa", "men sa"],
    "ciaran": ["kieran", "keeran"], "briain": ["brian", "breen"], "tomasz": ["thomas", "tomash"],
    "nowak": ["novak", "no walk"], "zielinska": ["zelinska", "ziel inska"], "ewa": ["eva", "ava"],
    "jurgen": ["yurgen", "your gun"], "giuseppe": ["joseph", "jus sepe"], "romano": ["romana"],
    "oluwaseun": ["olu ashay", "oluwa seun"], "wisniewska": ["vish nevska", "wiz nevska"],
    "aleksandra": ["alexandra", "alexander"], "lucia": ["lucy a", "lucha"], "fernandez": ["fernandes"],
    "helene": ["helen", "ellen"], "dubois": ["du bwa", "do boys"], "jimenez": ["himenez", "hymen es"],
    "kenji": ["kenzie", "ken g"], "watanabe": ["wata nabe", "what a nob"], "hiro": ["hero", "hirro"],
    "tanaka": ["tanaca", "tan aka"], "thiago": ["chago", "tiago", "ti ago"], "souza": ["sousa", "suza"],
    "kofi": ["coffee", "cofi"], "priya": ["pria", "prior"], "nonna": ["nona", "none a"],
    "castellano": ["castellan oh", "castelano"], "mcallister": ["mcalister", "mack allister"],
    "marisol": ["mary sol", "marisa"], "keisha": ["kesha", "key shah"], "amara": ["amora", "a mara"],
    "bartholomew": ["bartholemew", "bart holomew"], "finch": ["fincher"], "grace": ["grays"],
    "adeyemi": ["adeyemmy", "ade yemi"], "gruffalo": ["gruff a low", "graffalo"],
    "bebop": ["be bop", "bee bop"], "techno": ["tekno", "tech no"], "reggae": ["reggie", "raggae"],
    "afrobeats": ["afro beats", "afrobeat"], "bluegrass": ["blue grass"], "lofi": ["low fi", "lo fi"],
    "kpop": ["k pop", "kay pop"], "hoops": ["hopes", "hoop"], "cricket": ["crickets", "cricut"],
    "opera": ["oprah", "oper"], "traviata": ["travi ata", "traviatta"], "chopin": ["show pan", "chopping"],
    "nocturnes": ["nocturns"], "samba": ["sambo", "some bah"], "salsa": ["salsah"],
    "meditation": ["medication"], "gardening": ["guarding", "garden ing"], "soul": ["sole", "seoul"],
    "seventies": ["70s", "seventy's"], "roots": ["routes"], "route": ["root", "rout"],
    "hour": ["our", "are"], "beats": ["beets"], "phone": ["fone"], "club": ["klub"],
    "book": ["brook"], "piano": ["pianist"], "recital": ["resital"], "concert": ["concerts"],
    "sessions": ["session"], "service": ["servis"], "comedy": ["comedie"], "crime": ["crimes"],
    "problems": ["problem"], "patrick": ["patrik"], "walter": ["water"], "tennis": ["tennish"],
    "poetry": ["poetree"], "blues": ["blue's", "blew"], "german": ["germane"], "dub": ["dove"],
    "bunker": ["bunk her"], "pressure": ["presser"], "unplugged": ["un plugged"],
}
ABBREVIATIONS = {"saint": "st", "st": "saint", "doctor": "dr", "dr": "doctor", "mister": "mr",
                 "mr": "mister", "and": "n", "n": "and"}
NUMBERS = {"4": "four", "four": "4", "40": "forty", "forty": "40", "66": "sixty six",
           "sixty six": "66", "99": "ninety nine", "ninety nine": "99", "ten": "10", "seventies": "70s"}
COMPOUNDS = {"phone in": "phonein", "drum and bass": "drum n bass", "lo fi": "lofi",
             "k pop": "kpop", "stand up": "standup", "bedtime": "bed time", "afrobeats": "afro beats"}
PREFIXES = ["", "", "", "the ", "play ", "the live ", "that "]
SUFFIXES = ["", "", "", " room", " show", " please", " channel", " live"]


def hear(text: str, rng: random.Random) -> str:
    """``text`` as a recogniser might return it: one or two slips, sometimes none."""
    words = text.replace("'s", "s").replace("'", "").split()
    out = " ".join(words)
    slips = rng.choice([0, 1, 1, 2])
    for _ in range(slips):
        kind = rng.choice(["misheard", "misheard", "abbreviation", "number", "compound", "possessive"])
        tokens = out.split()
        if kind == "misheard":
            choices = [i for i, w in enumerate(tokens) if w in MISHEARD]
            if choices:
                i = rng.choice(choices)
                tokens[i] = rng.choice(MISHEARD[tokens[i]])
        elif kind == "abbreviation":
            choices = [i for i, w in enumerate(tokens) if w in ABBREVIATIONS]
            if choices:
                i = rng.choice(choices)
                tokens[i] = ABBREVIATIONS[tokens[i]]
        elif kind == "number":
            joined = " ".join(tokens)
            for spoken, other in NUMBERS.items():
                if re.search(rf"\b{re.escape(spoken)}\b", joined):
                    tokens = re.sub(rf"\b{re.escape(spoken)}\b", other, joined, count=1).split()
                    break
        elif kind == "compound":
            joined = " ".join(tokens)
            for spoken, other in COMPOUNDS.items():
                if spoken in joined:
                    tokens = joined.replace(spoken, other, 1).split()
                    break
        elif kind == "possessive" and tokens and tokens[0].endswith("s") and len(tokens) > 1:
            tokens[0] = tokens[0][:-1]
        out = " ".join(tokens)
    return (rng.choice(PREFIXES) + out + rng.choice(SUFFIXES)).strip()


def build(seed: int = 20261206) -> dict[str, object]:
    """The rooms and the heard requests: ``[spoken, room id or None]``, plus which rooms are live."""
    rng = random.Random(seed)
    rooms = [{"id": i, "title": t, "host": h, "genre": g, "topics": tp, "description": d, "live": live}
             for i, t, h, g, tp, d, live in ROOMS]
    cases: list[tuple[str, str | None]] = []
    for room_id, requests in REQUESTS.items():
        for request in requests:
            cases.append((request, room_id))
            cases.append((hear(request, rng), room_id))
    for request in NO_SUCH_ROOM:
        cases.append((request, None))
        cases.append((hear(request, rng), None))
    unique = list(dict.fromkeys(cases))
    return {"rooms": rooms, "cases": unique}


def main() -> None:
    """Write the evaluation set."""
    OUT.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n", "utf-8")
    data = json.loads(OUT.read_text("utf-8"))
    cases = data["cases"]
    none = sum(1 for _, expected in cases if expected is None)
    print(f"{len(data['rooms'])} rooms, {len(cases)} spoken values, {none} for no room")


if __name__ == "__main__":
    main()
