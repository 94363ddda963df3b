"""The words and numbers demo data is made of: fibres and blends, knitted and woven
constructions with their usual weights, colours, finishes, trims, suppliers, mills, work
centres and brands. Invented company names; trade conventions as a merchandiser knows them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Blend:
    composition: str
    short: str  # as it appears in a material's name
    dye_class: str
    certifications: tuple[str, ...]  # those this fibre can honestly carry
    price_factor: float  # relative to carded cotton
    filament: bool = False


BLENDS: tuple[Blend, ...] = (
    Blend("100% Cotton", "Cotton", "reactive", ("OEKO-TEX", "BCI"), 1.0),
    Blend("100% Cotton", "Combed Cotton", "reactive", ("OEKO-TEX", "BCI"), 1.08),
    Blend("100% Organic Cotton", "Organic Cotton", "reactive", ("GOTS", "OCS", "OEKO-TEX"), 1.3),
    Blend("60% Cotton 40% Polyester", "Cotton/Poly 60/40", "reactive", ("OEKO-TEX", "BCI"), 0.92),
    Blend("65% Polyester 35% Cotton", "Poly/Cotton 65/35", "disperse", ("OEKO-TEX",), 0.88),
    Blend("95% Cotton 5% Elastane", "Cotton Elastane", "reactive", ("OEKO-TEX", "BCI"), 1.18),
    Blend("92% Polyester 8% Elastane", "Poly Elastane", "disperse", ("OEKO-TEX",), 1.1, True),
    Blend("100% Polyester", "Polyester", "disperse", ("OEKO-TEX",), 0.8, True),
    Blend(
        "100% Recycled Polyester", "Recycled Polyester", "disperse", ("GRS", "OEKO-TEX"), 0.95, True
    ),
    Blend(
        "50% Organic Cotton 50% Recycled Polyester",
        "Organic Cotton/rPET",
        "reactive",
        ("GRS", "OCS", "OEKO-TEX"),
        1.15,
    ),
    Blend("100% Viscose", "Viscose", "reactive", ("FSC", "OEKO-TEX"), 0.98),
    Blend("100% Modal", "Modal", "reactive", ("FSC", "OEKO-TEX"), 1.35),
    Blend("100% Lyocell", "Lyocell", "reactive", ("FSC", "OEKO-TEX"), 1.45),
    Blend("100% Linen", "Linen", "reactive", ("OEKO-TEX",), 2.2),
    Blend("55% Linen 45% Cotton", "Linen/Cotton", "reactive", ("OEKO-TEX",), 1.7),
    Blend("70% Cotton 30% Viscose", "Cotton/Viscose", "reactive", ("OEKO-TEX", "FSC"), 1.02),
)

SPUN_COUNTS = (
    "Ne 20/1",
    "Ne 24/1",
    "Ne 26/1",
    "Ne 30/1",
    "Ne 30/1",
    "Ne 34/1",
    "Ne 40/1",
    "Ne 50/1",
    "Ne 20/2",
    "Ne 40/2",
    "Ne 16/1",
    "Ne 10/1",
)
FILAMENT_COUNTS = ("75D/36F", "100D/48F", "150D/48F", "150D/144F", "40D elastane")
SPINNING = ("combed compact", "combed ring", "carded ring", "open-end", "vortex")


@dataclass(frozen=True)
class Construction:
    category: str
    knitted: bool
    gsm: tuple[int, int]
    detail: str
    conversion_inr: int  # knitting per kg, or weaving per metre


KNITS: tuple[Construction, ...] = (
    Construction("single jersey", True, (140, 200), "24G single knit", 55),
    Construction("lycra jersey", True, (180, 240), "28G single knit, elastane plated", 85),
    Construction("pique", True, (180, 240), "24G pique (lacoste)", 65),
    Construction("rib 1x1", True, (180, 260), "18G 1x1 rib", 70),
    Construction("rib 2x2", True, (200, 280), "16G 2x2 rib", 72),
    Construction("interlock", True, (200, 260), "24G interlock", 75),
    Construction("fleece", True, (260, 340), "20G three-thread fleece, brushed back", 95),
    Construction("french terry", True, (240, 320), "20G french terry, loop back", 85),
)
WOVENS: tuple[Construction, ...] = (
    Construction("poplin", False, (100, 130), "1/1 plain 133x72", 22),
    Construction("twill", False, (180, 280), "2/1 twill 108x56", 28),
    Construction("denim", False, (340, 475), "3/1 RHT denim, rope-dyed indigo warp", 45),
    Construction("oxford", False, (130, 160), "oxford 2x1 basket", 26),
    Construction("canvas", False, (280, 400), "1/1 canvas 10s x 10s", 34),
    Construction("cambric", False, (80, 110), "1/1 plain 60x60", 20),
    Construction("satin", False, (110, 150), "4/1 satin", 32),
    Construction("dobby", False, (120, 170), "dobby 40s x 40s", 38),
)

COLOURS: tuple[tuple[str, str], ...] = (
    ("Optical White", "light"),
    ("Ecru", "light"),
    ("Natural", "light"),
    ("Sky Blue", "light"),
    ("Blush Pink", "light"),
    ("Lemon", "light"),
    ("Mint", "light"),
    ("Stone", "light"),
    ("Heather Grey", "medium"),
    ("Sage", "medium"),
    ("Coral", "medium"),
    ("Mustard", "medium"),
    ("Denim Blue", "medium"),
    ("Teal", "medium"),
    ("Rust", "medium"),
    ("Lavender", "medium"),
    ("Navy", "dark"),
    ("Black", "dark"),
    ("Charcoal", "dark"),
    ("Bottle Green", "dark"),
    ("Burgundy", "dark"),
    ("Olive", "dark"),
    ("Chocolate", "dark"),
    ("Royal Blue", "dark"),
    ("Indigo", "dark"),
    ("Maroon", "dark"),
)

FINISHES = (
    "",
    "bio-wash",
    "enzyme wash",
    "peached",
    "brushed",
    "silicone soft",
    "mercerised",
    "sanforised",
    "anti-pill",
    "moisture management",
    "compacted",
    "",
)


@dataclass(frozen=True)
class Trim:
    category: str
    name: str
    uom: str
    price_inr: tuple[float, float]


TRIMS: tuple[Trim, ...] = (
    Trim("button", "4-hole polyester button 18L", "pc", (0.35, 0.9)),
    Trim("button", "4-hole corozo button 24L", "pc", (2.5, 6.0)),
    Trim("button", "metal shank button 20 mm", "pc", (3.0, 8.0)),
    Trim("button", "snap fastener 12 mm", "pc", (1.2, 3.5)),
    Trim("zipper", "#3 nylon coil zipper 18 cm", "pc", (6.0, 12.0)),
    Trim("zipper", "#5 metal zipper 60 cm", "pc", (22.0, 45.0)),
    Trim("zipper", "#3 invisible zipper 22 cm", "pc", (7.0, 14.0)),
    Trim("label", "woven main label, damask", "pc", (1.5, 4.0)),
    Trim("label", "printed care label, satin", "pc", (0.4, 1.2)),
    Trim("label", "size label, woven", "pc", (0.3, 0.8)),
    Trim("thread", "polyester core-spun sewing thread Tex 27, 5000 m cone", "pc", (85.0, 140.0)),
    Trim("elastic", "knitted elastic 25 mm", "m", (4.0, 9.0)),
    Trim("drawcord", "flat drawcord 10 mm with metal tips", "m", (5.0, 12.0)),
    Trim("hang tag", "FSC board hang tag with string", "pc", (1.8, 5.0)),
    Trim("poly bag", "recycled LDPE poly bag with warning print", "pc", (1.2, 3.0)),
    Trim("interlining", "fusible woven interlining 30 g/m²", "m", (28.0, 55.0)),
)
TRIM_COLOURS = (
    "Black",
    "Navy",
    "Optical White",
    "Natural",
    "Charcoal",
    "Gunmetal",
    "Antique Brass",
)

_PLACES = (
    ("Tiruppur", "IN"),
    ("Coimbatore", "IN"),
    ("Erode", "IN"),
    ("Ludhiana", "IN"),
    ("Surat", "IN"),
    ("Ahmedabad", "IN"),
    ("Panipat", "IN"),
    ("Dhaka", "BD"),
    ("Gazipur", "BD"),
    ("Narayanganj", "BD"),
    ("Bursa", "TR"),
    ("Denizli", "TR"),
    ("Shaoxing", "CN"),
    ("Ningbo", "CN"),
    ("Faisalabad", "PK"),
)
_FIRST = (
    "Kongu",
    "Noyyal",
    "Amaravathi",
    "Bhavani",
    "Kaveri",
    "Meghna",
    "Padma",
    "Jamuna",
    "Uludağ",
    "Pamukkale",
    "Qiantang",
    "Sunrise",
    "Evergreen",
    "Lotus",
    "Silverline",
    "Annapurna",
    "Sapphire",
    "Indus",
    "Shakti",
    "Vaigai",
)
_SECOND = (
    "Knit Fabrics",
    "Spinning Mills",
    "Textiles",
    "Processors",
    "Knit Composite",
    "Denim Mills",
    "Yarns",
    "Weaving Co.",
    "Trims & Accessories",
    "Fabrics",
)

SUPPLIERS: tuple[str, ...] = tuple(
    f"{_FIRST[i % len(_FIRST)]} {_SECOND[(i * 7) % len(_SECOND)]}" for i in range(60)
)
MILLS: tuple[str, ...] = tuple(
    f"{_FIRST[(i * 3 + 1) % len(_FIRST)]} {('Unit', 'Mill', 'Works')[i % 3]} "
    f"{i // 3 + 1}, {_PLACES[i % len(_PLACES)][0]}"
    for i in range(25)
)

#: (code, name, process, minutes available per working day)
WORK_CENTRES: tuple[tuple[str, str, str, int], ...] = (
    ("KNT-01", "Circular knitting hall A (48 machines)", "knitting", 48 * 22 * 60),
    ("KNT-02", "Flat and rib knitting (16 machines)", "knitting", 16 * 22 * 60),
    ("WEA-01", "Air-jet weaving shed (60 looms)", "weaving", 60 * 22 * 60),
    ("DYE-01", "Soft-flow dyeing (12 machines)", "dyeing", 12 * 22 * 60),
    ("PRT-01", "Rotary screen printing", "printing", 2 * 20 * 60),
    ("EMB-01", "Embroidery (8 heads x 20)", "embroidery", 8 * 16 * 60),
    ("CUT-01", "Cutting room", "cutting", 24 * 8 * 60),
    ("SEW-01", "Sewing line 1 (40 operators)", "sewing", 40 * 8 * 60),
    ("SEW-02", "Sewing line 2 (40 operators)", "sewing", 40 * 8 * 60),
    ("SEW-03", "Sewing line 3 (32 operators)", "sewing", 32 * 8 * 60),
    ("SEW-04", "Sewing line 4 (32 operators)", "sewing", 32 * 8 * 60),
    ("FIN-01", "Finishing and packing", "finishing", 30 * 8 * 60),
)

#: The mills' calendar: (day, kind, name), for every centre. Tamil Nadu public holidays and
#: the half day before Diwali; the demo keeps those within its capacity window.
CALENDAR: tuple[tuple[str, str, str], ...] = (
    ("2026-01-15", "holiday", "Pongal"),
    ("2026-01-26", "holiday", "Republic Day"),
    ("2026-04-14", "holiday", "Tamil New Year"),
    ("2026-05-01", "holiday", "May Day"),
    ("2026-08-15", "holiday", "Independence Day"),
    ("2026-10-02", "holiday", "Gandhi Jayanti"),
    ("2026-10-20", "holiday", "Ayudha Puja"),
    ("2026-11-07", "half_day", "Diwali eve"),
    ("2026-11-09", "holiday", "Diwali"),
    ("2026-12-25", "holiday", "Christmas"),
    ("2027-01-01", "holiday", "New Year's Day"),
    ("2027-01-15", "holiday", "Pongal"),
    ("2027-01-26", "holiday", "Republic Day"),
    ("2027-04-14", "holiday", "Tamil New Year"),
    ("2027-05-01", "holiday", "May Day"),
    ("2027-08-14", "half_day", "Saturday half day"),
    ("2027-08-16", "holiday", "Independence Day (observed)"),
)

#: (code, name, country, currency)
BRANDS: tuple[tuple[str, str, str, str], ...] = (
    ("NORDV", "Nordvik Outfitters", "SE", "EUR"),
    ("HRBR", "Harbour & Pine", "GB", "GBP"),
    ("CSTL", "Coastline Basics", "US", "USD"),
    ("LMNA", "Lumina Kids", "DE", "EUR"),
    ("SNDR", "Sundara Active", "AU", "AUD"),
    ("MRDN", "Meridian Workwear", "US", "USD"),
    ("ALBA", "Alba Studio", "IT", "EUR"),
    ("FJRD", "Fjord & Field", "NO", "EUR"),
    ("PCFC", "Pacific Thread Co.", "US", "USD"),
    ("BRKL", "Brickline", "GB", "GBP"),
)

GARMENTS = ("TEE", "POLO", "HOOD", "SWT", "JOG", "LEG", "SHRT", "DRS", "CHINO", "JKT", "TANK", "PJ")
PRINT_TECHNIQUES = (
    ("rotary screen", "per m", (18, 32)),
    ("flatbed screen", "per m", (25, 45)),
    ("digital sublimation", "per m", (55, 90)),
    ("digital pigment", "per m", (70, 120)),
    ("discharge", "per m", (35, 60)),
    ("plastisol placement", "per piece", (6, 14)),
    ("water-based placement", "per piece", (5, 11)),
)
