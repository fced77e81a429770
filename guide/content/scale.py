"""A synthetic city-scale dataset in the content format: thousands of monuments, three languages.

Operators and benchmarks use it to see how loading, pages, search and packs behave at the size of
six real cities (`flask --app guide generate-scale DIR`, then `flask --app guide load-content DIR`
with DALIL_EXTRA_LANGUAGES=en). Texts are assembled from a vocabulary of real architecture words
in Arabic, French and English, so search has something to find; pictures and recordings are a few
sample files of content/, copied once into DIR/_media and hard-linked into each monument's
folder (the loader only reads files inside a monument's folder), so the set stays small on disk.
Everything is drawn from one seeded random generator: the same seed writes the same files.
"""

import os
import random
import re
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from guide.codes.format import ALPHABET
from guide.codes.format import BODY_LENGTH
from guide.codes.format import check_character

LANGUAGES = ("ar", "fr", "en")
# Share of the monuments per site: the largest city carries the heaviest pack.
SITE_WEIGHTS = {"casablanca": 30, "marrakech": 20, "fes": 20, "rabat": 15, "tanger": 10, "ifrane": 5}
SITE_NAMES_EN = {"casablanca": "Casablanca", "marrakech": "Marrakesh", "fes": "Fez", "rabat": "Rabat",
                 "tanger": "Tangier", "ifrane": "Ifrane"}
# Keypad numbers of generated plaques start here, above the sample content's.
FIRST_NUMBER = 10_000
# About 3 km around the city centre, in degrees.
SPREAD_DEGREES = 0.03
# Small sample files reused by every monument (content/<site>/<monument>/<path>).
IMAGE_SOURCES = (
    "casablanca/wilaya-former-town-hall/images/plan.webp",
    "casablanca/rialto-cinema/images/cover.webp",
    "casablanca/mahkama-du-pacha/images/plan.webp",
    "casablanca/sacre-coeur-cathedral/images/plan.webp",
    "casablanca/old-medina-sqala/images/sqala.webp",
)
AUDIO_SOURCES = (
    "casablanca/old-medina-sqala/audio/sqala-fr.m4a",
    "casablanca/habous-quarter/audio/souks-fr.m4a",
)
# Share of monuments whose guides have a recording (the others are text guides), and of stops
# with a picture: audio is what makes packs heavy.
AUDIO_SHARE = 0.15
STOP_IMAGE_SHARE = 0.5

# Vocabulary: (ar, fr, en) with a slug word for building types and features.
TYPES = (
    ("mosque", "مسجد", "Mosquée", "Mosque"),
    ("madrasa", "مدرسة", "Médersa", "Madrasa"),
    ("riad", "رياض", "Riad", "Riad"),
    ("palace", "قصر", "Palais", "Palace"),
    ("fountain", "سقاية", "Fontaine", "Fountain"),
    ("gate", "باب", "Porte", "Gate"),
    ("kasbah", "قصبة", "Kasbah", "Kasbah"),
    ("zawiya", "زاوية", "Zaouïa", "Zawiya"),
    ("hammam", "حمام", "Hammam", "Hammam"),
    ("fondouk", "فندق", "Fondouk", "Caravanserai"),
    ("borj", "برج", "Bordj", "Tower"),
    ("villa", "فيلا", "Villa", "Villa"),
    ("cinema", "سينما", "Cinéma", "Cinema"),
    ("church", "كنيسة", "Église", "Church"),
    ("cathedral", "كاتدرائية", "Cathédrale", "Cathedral"),
    ("market", "سوق", "Marché", "Market"),
    ("garden", "حديقة", "Jardin", "Garden"),
    ("museum", "متحف", "Musée", "Museum"),
    ("house", "دار", "Maison", "House"),
    ("building", "عمارة", "Immeuble", "Building"),
    ("synagogue", "بيعة", "Synagogue", "Synagogue"),
    ("mausoleum", "ضريح", "Mausolée", "Mausoleum"),
)
EPONYMS = (
    ("بن يوسف", "Ben Youssef", "Ben Youssef"), ("بوعنانية", "Bou Inania", "Bou Inania"),
    ("العطارين", "el-Attarine", "el-Attarine"), ("الباهية", "de la Bahia", "Bahia"),
    ("البديع", "el-Badi", "el-Badi"), ("المولى إسماعيل", "Moulay Ismaïl", "Moulay Ismail"),
    ("سيدي بليوط", "Sidi Belyout", "Sidi Belyout"), ("الأوداية", "des Oudayas", "of the Oudayas"),
    ("النجارين", "Nejjarine", "Nejjarine"), ("القرويين", "Qaraouiyine", "Qarawiyyin"),
    ("الكتبية", "de la Koutoubia", "Koutoubia"), ("حسان", "Hassan", "Hassan"),
    ("الشراطين", "Cherratine", "Cherratine"), ("المنصور", "el-Mansour", "al-Mansur"),
    ("السعديين", "des Saadiens", "of the Saadians"), ("المرينيين", "des Mérinides", "of the Marinids"),
    ("الأحباس", "des Habous", "of the Habous"), ("الشاوية", "de la Chaouia", "Chaouia"),
    ("الرميلة", "Rmila", "Rmila"), ("دار السلام", "Dar es-Salam", "Dar es-Salam"),
    ("باب الخميس", "Bab el-Khemis", "Bab el-Khemis"), ("المصمودي", "Masmoudi", "Masmoudi"),
    ("الزرقاء", "bleue", "Blue"), ("الخضراء", "verte", "Green"), ("الكبير", "grand", "Great"),
    ("الجديد", "neuf", "New"), ("العتيق", "ancien", "Old"), ("لالة عودة", "Lalla Aouda", "Lalla Aouda"),
    ("الغرباوي", "Gharbaoui", "Gharbaoui"), ("ليوطي", "Lyautey", "Lyautey"),
    ("بوايي", "Boyer", "Boyer"), ("بريون", "Brion", "Brion"), ("لابراد", "Laprade", "Laprade"),
    ("بروست", "Prost", "Prost"), ("المعاريف", "du Maârif", "Maarif"), ("أنفا", "d'Anfa", "Anfa"),
)
MATERIALS = (
    ("الزليج", "le zellige", "zellige"), ("خشب الأرز المنقوش", "le cèdre sculpté", "carved cedar"),
    ("الجبص المنقوش", "le stuc ciselé", "carved stucco"), ("الرخام", "le marbre", "marble"),
    ("القرميد الأخضر", "les tuiles vertes", "green tiles"), ("الآجر", "la brique", "brick"),
    ("الطابية", "le pisé", "rammed earth"), ("الحجر المنحوت", "la pierre de taille", "dressed stone"),
    ("الخرسانة المسلحة", "le béton armé", "reinforced concrete"), ("الحديد المطروق", "le fer forgé", "wrought iron"),
    ("التادلاكت", "le tadelakt", "tadelakt"), ("الزجاج الملون", "le vitrail", "stained glass"),
)
FEATURES = (
    ("courtyard", "الصحن", "La cour", "The courtyard"), ("arch", "القوس المتجاوز", "L'arc outrepassé", "The horseshoe arch"),
    ("dome", "القبة", "La coupole", "The dome"), ("mihrab", "المحراب", "Le mihrab", "The mihrab"),
    ("minbar", "المنبر", "Le minbar", "The minbar"), ("gallery", "الرواق", "La galerie", "The gallery"),
    ("facade", "الواجهة", "La façade", "The façade"), ("door", "الباب الكبير", "La grande porte", "The great door"),
    ("minaret", "الصومعة", "Le minaret", "The minaret"), ("fountain", "النافورة", "La fontaine", "The fountain"),
    ("ceiling", "السقف المزخرف", "Le plafond peint", "The painted ceiling"),
    ("balcony", "الشرفة", "Le balcon", "The balcony"), ("hall", "القاعة الكبرى", "La grande salle", "The great hall"),
    ("garden", "الرياض", "Le jardin", "The garden"), ("terrace", "السطح", "La terrasse", "The roof terrace"),
    ("staircase", "الدرج", "L'escalier", "The staircase"), ("ramparts", "الأسوار", "Les remparts", "The ramparts"),
    ("columns", "الأعمدة", "Les colonnes", "The columns"),
)
STYLES = (
    ("مريني", "mérinide", "Marinid"), ("سعدي", "saadien", "Saadian"), ("علوي", "alaouite", "Alaouite"),
    ("موحدي", "almohade", "Almohad"), ("آرت ديكو", "Art déco", "Art Deco"),
    ("مغربي جديد", "néo-mauresque", "neo-Moorish"), ("حداثي", "moderniste", "modernist"),
    ("أندلسي", "andalou", "Andalusian"),
)
PATRONS = (
    ("السلطان أبو الحسن المريني", "le sultan Abou al-Hassan", "Sultan Abu al-Hasan"),
    ("السلطان أحمد المنصور", "le sultan Ahmed al-Mansour", "Sultan Ahmad al-Mansur"),
    ("السلطان يعقوب المنصور", "le sultan Yacoub al-Mansour", "Sultan Yaqub al-Mansur"),
    ("المولى إسماعيل", "Moulay Ismaïl", "Moulay Ismail"),
    ("السلطان سيدي محمد بن عبد الله", "le sultan Sidi Mohammed ben Abdallah", "Sultan Sidi Mohammed ben Abdallah"),
    ("المهندس ماريوس بوايي", "l'architecte Marius Boyer", "the architect Marius Boyer"),
    ("المهندس هنري بروست", "l'architecte Henri Prost", "the architect Henri Prost"),
    ("المهندس ألبير لابراد", "l'architecte Albert Laprade", "the architect Albert Laprade"),
    ("المهندس إدمون بريون", "l'architecte Edmond Brion", "the architect Edmond Brion"),
    ("أسرة من تجار المدينة", "une famille de marchands", "a family of merchants"),
)
QUARTERS = (
    ("المدينة القديمة", "la médina", "the medina"), ("الملاح", "le mellah", "the mellah"),
    ("القصبة", "la kasbah", "the kasbah"), ("المدينة الجديدة", "la ville nouvelle", "the new town"),
    ("حي الأحباس", "le quartier des Habous", "the Habous quarter"), ("الحي الإداري", "le quartier administratif", "the civic quarter"),
)
# Sentences with slots; each slot is filled with the same word in every language.
SENTENCES = (
    ("شُيّد هذا ال{type} في {century} في قلب {quarter}، بأمر من {patron}.",
     "Ce {type} a été bâti au {century} au cœur de {quarter}, à la demande de {patron}.",
     "This {type} was built in the {century} in the heart of {quarter}, for {patron}."),
    ("تزين جدرانه {material} و{material2}، على الطراز ال{style}.",
     "Ses murs sont ornés de {material} et de {material2}, dans le style {style}.",
     "Its walls are decorated with {material} and {material2}, in the {style} style."),
    ("يفتح {feature} على فضاء هادئ تحيط به أروقة ذات أقواس.",
     "{feature} s'ouvre sur un espace paisible bordé de galeries à arcades.",
     "{feature} opens onto a quiet space lined with arcaded galleries."),
    ("لاحظوا {feature} وما يحمله من زخارف هندسية ونباتية دقيقة.",
     "Observez {feature} et son décor géométrique et floral d'une grande finesse.",
     "Look at {feature} and its fine geometric and floral ornament."),
    ("رُمّم المبنى عدة مرات، وحافظ الحرفيون على {material} الأصلي.",
     "Le bâtiment a été restauré plusieurs fois ; les artisans ont conservé {material} d'origine.",
     "The building was restored several times; craftsmen kept the original {material}."),
    ("يجمع التصميم بين التقاليد المغربية والتأثيرات الأندلسية في انسجام نادر.",
     "Le plan marie les traditions marocaines et les influences andalouses avec une rare harmonie.",
     "The plan blends Moroccan traditions and Andalusian influences with rare harmony."),
    ("كان ال{type} ملتقى للعلماء والتجار والحرفيين من كل أنحاء المغرب.",
     "Ce {type} était un lieu de rencontre pour les savants, les marchands et les artisans de tout le Maroc.",
     "This {type} was a meeting place for scholars, merchants and craftsmen from all over Morocco."),
    ("يدخل الضوء عبر نوافذ عالية فيرسم على {material} ظلالًا متحركة طوال النهار.",
     "La lumière entre par de hautes fenêtres et dessine sur {material} des ombres mouvantes tout au long du jour.",
     "Light comes in through high windows and draws moving shadows on the {material} all day long."),
    ("يحتفظ {feature} بنقوش كتابية بالخط الكوفي والخط المغربي.",
     "{feature} conserve des inscriptions en coufique et en écriture maghrébine.",
     "{feature} keeps inscriptions in Kufic and Maghrebi script."),
    ("يُنصح بزيارته في الصباح الباكر، حين تكون الأزقة المحيطة هادئة.",
     "Mieux vaut le visiter tôt le matin, quand les ruelles alentour sont calmes.",
     "It is best visited early in the morning, when the surrounding lanes are quiet."),
)
HEADINGS = (
    ("التاريخ", "Histoire", "History"), ("العمارة", "Architecture", "Architecture"),
    ("الزخرفة", "Le décor", "Ornament"), ("ما يستحق المشاهدة", "À voir", "What to see"),
    ("الترميم", "Restaurations", "Restoration"), ("الحياة اليومية", "La vie quotidienne", "Daily life"),
)
CENTURIES = (
    ("القرن الثاني عشر", "XIIe siècle", "12th century", 1150), ("القرن الرابع عشر", "XIVe siècle", "14th century", 1340),
    ("القرن السادس عشر", "XVIe siècle", "16th century", 1570), ("القرن الثامن عشر", "XVIIIe siècle", "18th century", 1760),
    ("القرن التاسع عشر", "XIXe siècle", "19th century", 1860), ("القرن العشرين", "XXe siècle", "20th century", 1930),
)
ALT = ("رسم {feature} في {quarter}", "Dessin : {feature} dans {quarter}", "Drawing: {feature} in {quarter}")
ACCESS = ("inside", "street", "partial")
NARRATORS = {"ar": "صوت اصطناعي", "fr": "Voix de synthèse", "en": "Synthetic voice"}
CREDITS = {"ar": "رسم: فريق دليل، رخصة CC BY 4.0", "fr": "Dessin : équipe Dalil, CC BY 4.0",
           "en": "Drawing: Dalil team, CC BY 4.0"}
_LANG_INDEX = {lang: index for index, lang in enumerate(LANGUAGES)}
_SLOT = re.compile(r"\{(\w+)\}")
_CONTRACTED = {" de le ": " du ", " de les ": " des ", " à le ": " au ", " à les ": " aux "}
_CONTRACTIONS = re.compile("|".join(_CONTRACTED))


@dataclass
class ScaleReport:
    sites: int
    monuments: int
    stops: int
    codes: int
    files: int


def generate_scale(target: Path, source: Path, monuments: int = 10_000, seed: int = 1) -> ScaleReport:
    """Write a seeded synthetic dataset of monuments across the sites of source into target."""
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} is not empty")
    rng = random.Random(seed)
    target.mkdir(parents=True, exist_ok=True)
    media = _copy_media(source, target / "_media")
    taken = _codes_in(source)
    counts = _share(monuments)
    report = ScaleReport(len(counts), 0, 0, 0, 0)
    for site_slug, count in counts.items():
        site = tomllib.loads((source / site_slug / "site.toml").read_text(encoding="utf-8"))
        site_dir = target / site_slug
        site_dir.mkdir()
        _write(site_dir / "site.toml", _site_document(site, rng))
        numbers = iter(range(FIRST_NUMBER, 100_000))
        for _index in range(count):
            # Slugs are unique across sites (the loader keys monuments by slug alone).
            report.monuments += 1
            document, links = _monument(site, report.monuments, rng, taken, numbers, media)
            folder = site_dir / document["slug"]
            for relative, source_file in links.items():
                (folder / relative).parent.mkdir(parents=True, exist_ok=True)
                os.link(source_file, folder / relative)
            _write(folder / "monument.toml", document)
            report.stops += len(document["stops"])
            report.codes += 1 + len(document["stops"])
            report.files += 1 + len(links)
        report.files += 1
    return report


def _share(total: int) -> dict[str, int]:
    """Split the monuments between the sites by weight, largest remainder first, deterministically."""
    weight_sum = sum(SITE_WEIGHTS.values())
    exact = {slug: total * weight / weight_sum for slug, weight in SITE_WEIGHTS.items()}
    counts = {slug: int(value) for slug, value in exact.items()}
    for slug in sorted(exact, key=lambda slug: counts[slug] - exact[slug])[: total - sum(counts.values())]:
        counts[slug] += 1
    return counts


def _copy_media(source: Path, folder: Path) -> dict[str, list[Path]]:
    # Copied once (DIR may be on another file system than content/); monuments hard-link these.
    folder.mkdir()
    copied: dict[str, list[Path]] = {"image": [], "audio": []}
    for kind, paths in (("image", IMAGE_SOURCES), ("audio", AUDIO_SOURCES)):
        for index, relative in enumerate(paths):
            destination = folder / f"{kind}-{index}{Path(relative).suffix}"
            shutil.copyfile(source / relative, destination)
            copied[kind].append(destination)
    return copied


def _codes_in(source: Path) -> set[str]:
    # Codes of the sample content stay theirs, so both sets can share a database.
    pattern = re.compile(r'^code = "([0-9A-Z]+)"', re.MULTILINE)
    return {code for path in source.glob("*/**/*.toml") for code in pattern.findall(path.read_text(encoding="utf-8"))}


def _new_code(rng: random.Random, taken: set[str]) -> str:
    while True:
        body = "".join(rng.choice(ALPHABET) for _index in range(BODY_LENGTH))
        code = body + check_character(body)
        if code not in taken:
            taken.add(code)
            return code


def _write(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(document, multiline_strings=True), encoding="utf-8")


def _site_document(site: dict, rng: random.Random) -> dict:
    """The sample site.toml with an English name and description added."""
    slug = site["slug"]
    english = SITE_NAMES_EN.get(slug, slug.title())
    quarter = rng.choice(QUARTERS)[2]
    document = dict(site)
    document["name"] = {**site["name"], "en": english}
    document["description"] = {
        **site["description"],
        "en": f"{english}: from {quarter} to the new town, a walk through mosques, madrasas, riads, "
              "gates and Art Deco buildings, told by the people who built and restored them.",
    }
    return document


def _pick(rng: random.Random) -> dict[str, tuple]:
    """Draw one word of each slot; each is a tuple with one entry per language."""
    first, second = rng.sample(MATERIALS, 2)
    return {"material": first, "material2": second, "style": rng.choice(STYLES), "patron": rng.choice(PATRONS),
            "quarter": rng.choice(QUARTERS), "feature": rng.choice(FEATURES)[1:],
            "century": rng.choice(CENTURIES)[:3]}


def _fill(template: str, lang: str, words: dict[str, tuple]) -> str:
    index = _LANG_INDEX[lang]

    def word(match: re.Match) -> str:
        chosen = words[match.group(1)][index]
        # "La cour s'ouvre…" but "Observez la cour…"
        if match.group(1) == "feature" and match.start() > 0 and lang != "ar":
            return chosen[:1].lower() + chosen[1:]
        return chosen

    text = _SLOT.sub(word, template)
    # French articles contract after a preposition: "de le quartier" is "du quartier".
    return _CONTRACTIONS.sub(lambda match: _CONTRACTED[match.group(0)], text) if lang == "fr" else text


def _sentences(rng: random.Random, count: int, words: dict[str, tuple]) -> dict[str, list[str]]:
    """Draw count sentences, the same in every language, with fresh words for each."""
    made: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    for _index in range(count):
        template = rng.choice(SENTENCES)
        filled = {**words, **_pick(rng), "type": words["type"]}
        for lang in LANGUAGES:
            made[lang].append(_fill(template[_LANG_INDEX[lang]], lang, filled))
    return made


def _body(rng: random.Random, words: dict[str, tuple], size: int) -> dict[str, str]:
    """Markdown of about size characters (French): headed sections, a list, emphasis."""
    sections: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    length = 0
    for heading in rng.sample(HEADINGS, len(HEADINGS)):
        paragraph = _sentences(rng, rng.randint(4, 7), words)
        points = [feature[1:] for feature in rng.sample(FEATURES, 3)]
        for lang in LANGUAGES:
            text = f"## {heading[_LANG_INDEX[lang]]}\n\n" + " ".join(paragraph[lang])
            if heading is HEADINGS[3]:
                text += "\n\n" + "\n".join(f"- **{point[_LANG_INDEX[lang]]}**" for point in points)
            sections[lang].append(text)
        length += len(sections["fr"][-1]) + 2
        if length >= size:
            break
    return {lang: "\n\n".join(parts) for lang, parts in sections.items()}


def _image(rng: random.Random, media: dict[str, list[Path]], name: str, words: dict[str, tuple],
           links: dict[str, Path]) -> dict:
    source = rng.choice(media["image"])
    relative = f"images/{name}{source.suffix}"
    links[relative] = source
    lowered = {**words, "feature": tuple(word if lang == "ar" else word.lower()
                                         for lang, word in zip(LANGUAGES, words["feature"], strict=True))}
    alt = {lang: _fill(ALT[_LANG_INDEX[lang]], lang, lowered) for lang in LANGUAGES}
    return {"file": relative, "alt": alt, "credit": dict(CREDITS)}


def _guides(rng: random.Random, media: dict[str, list[Path]], name: str, words: dict[str, tuple],
            with_audio: bool, links: dict[str, Path]) -> list[dict]:
    transcript = _sentences(rng, rng.randint(4, 6), words)
    guides = []
    for lang in LANGUAGES:
        guide = {"lang": lang, "transcript": " ".join(transcript[lang]), "narrator": NARRATORS[lang]}
        if with_audio and lang != "en":
            source = rng.choice(media["audio"])
            relative = f"audio/{name}-{lang}{source.suffix}"
            links[relative] = source
            guide["audio"] = relative
        guides.append(guide)
    return guides


def _monument(site: dict, index: int, rng: random.Random, taken: set[str], numbers, media):
    """One monument's document and the media files it hard-links (relative path -> source)."""
    slug_word, *type_words = rng.choice(TYPES)
    eponym = rng.choice(EPONYMS)
    words = {**_pick(rng), "type": tuple(word.lower() if lang != "ar" else word
                                        for lang, word in zip(LANGUAGES, type_words, strict=True))}
    century = words["century"]
    start = next(c[3] for c in CENTURIES if c[:3] == century) + rng.randint(0, 40)
    links: dict[str, Path] = {}
    names = {lang: f"{type_words[_LANG_INDEX[lang]]} {eponym[_LANG_INDEX[lang]]}" for lang in LANGUAGES}
    summary = _sentences(rng, 3, words)
    body = _body(rng, words, rng.randint(2000, 3800))
    style = words["style"]
    patron = words["patron"]
    quarter = words["quarter"]
    text = {lang: {
        "name": names[lang],
        "summary": " ".join(summary[lang]),
        "body": body[lang],
        "period": str(start),
        "architect": patron[_LANG_INDEX[lang]],
        "style": style[_LANG_INDEX[lang]],
        "address": ("، " if lang == "ar" else ", ").join(
            (quarter[_LANG_INDEX[lang]], site["name"].get(lang, SITE_NAMES_EN.get(site["slug"], site["slug"])))),
    } for lang in LANGUAGES}
    with_audio = rng.random() < AUDIO_SHARE
    document = {
        "slug": f"{slug_word}-{_slug(eponym[2])}-{index}",
        "code": _new_code(rng, taken),
        "number": next(numbers),
        "year_start": start,
        "year_end": start + rng.randint(1, 30),
        "latitude": round(site["latitude"] + rng.gauss(0, SPREAD_DEGREES), 6),
        "longitude": round(site["longitude"] + rng.gauss(0, SPREAD_DEGREES), 6),
        "access": rng.choice(ACCESS),
        "text": text,
        "cover": _image(rng, media, "cover", words, links),
        "gallery": [_image(rng, media, f"gallery-{n}", words, links) for n in range(rng.randint(0, 2))],
        "guides": _guides(rng, media, "guide", words, with_audio, links),
        "stops": [],
    }
    for slug_word, *feature in rng.sample(FEATURES, rng.randint(1, 6)):
        stop_words = {**words, "feature": tuple(feature)}
        stop_body = _sentences(rng, rng.randint(3, 6), stop_words)
        stop = {
            "slug": slug_word,
            "code": _new_code(rng, taken),
            "number": next(numbers),
            "text": {lang: {"title": feature[_LANG_INDEX[lang]], "body": " ".join(stop_body[lang])}
                     for lang in LANGUAGES},
        }
        if rng.random() < STOP_IMAGE_SHARE:
            stop["image"] = _image(rng, media, slug_word, stop_words, links)
        stop["guides"] = _guides(rng, media, slug_word, stop_words, with_audio and rng.random() < 0.3, links)
        document["stops"].append(stop)
    return document, links


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")
