"""The OpenAPI 3.1 description of API v1; the tests validate every response against it."""

from flask import current_app

from guide.api.params import NEAR_MAX_LENGTH
from guide.api.params import NEAR_PATTERN
from guide.codes.format import ALPHABET
from guide.codes.format import CODE_LENGTH
from guide.codes.services import MAX_RAW_LENGTH
from guide.i18n import languages
from guide.monuments.models import ACCESS_KINDS
from guide.search.services import DEFAULT_LIMIT
from guide.search.services import MAX_LIMIT
from guide.search.services import MAX_QUERY_LENGTH
from guide.security import MAX_HEADER_BYTES
from guide.security import MAX_URL_BYTES

JSON = "application/json"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict, description: str | None = None) -> dict:
    # Every field is always present (null when unknown) and nothing undocumented may appear.
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _by_language(schema: dict, description: str) -> dict:
    return {
        "type": "object",
        "description": description + " Keyed by language code; a missing translation is left out.",
        "propertyNames": _ref("Language"),
        "additionalProperties": schema,
    }


STRING = {"type": "string"}
URL = {"type": "string", "format": "uri"}
TIMESTAMP = {"type": "string", "format": "date-time"}
INTEGER = {"type": "integer"}
SLUG = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,79}$"}


def _schemas() -> dict:
    page_urls = _by_language(URL, "The page for people, in each language.")
    return {
        "Language": {"type": "string", "enum": list(languages()),
                     "description": "An enabled content language (ISO 639 code)."},
        "Slug": SLUG,
        "Code": {"type": "string", "pattern": f"^[{ALPHABET}]{{{CODE_LENGTH}}}$",
                 "description": "A plaque code: 4 characters and a Luhn mod 24 check character."},
        "Coordinates": _object({
            "latitude": {"type": "number", "minimum": -90, "maximum": 90},
            "longitude": {"type": "number", "minimum": -180, "maximum": 180},
        }, "WGS 84 position."),
        "Markdown": _object({
            "markdown": {**STRING, "description": "The source text, in CommonMark."},
            "html": {**STRING, "description": "The same text as sanitized HTML (p, h2-h4, em, strong, "
                                              "lists, blockquote, http(s) links)."},
        }),
        "Image": _object({
            "role": {"type": "string", "enum": ["cover", "gallery", "stop"]},
            "url": {**URL, "description": "Permanent, content-addressed URL; cache it forever."},
            "mimetype": STRING,
            "bytes": INTEGER,
            "width": _nullable(INTEGER),
            "height": _nullable(INTEGER),
            "texts": _by_language(_object({"alt": STRING, "credit": STRING}),
                                  "Alternative text and credit."),
        }),
        "Audio": _object({
            "url": {**URL, "description": "Permanent URL; supports HTTP Range requests."},
            "mimetype": STRING,
            "bytes": INTEGER,
            "duration_s": _nullable({"type": "number", "minimum": 0}),
        }),
        "Guide": _object({
            "transcript": {**STRING, "description": "What the narrator says, word for word."},
            "narrator": STRING,
            "audio": _nullable(_ref("Audio")),
        }, "The audio or text guide in one language."),
        "PlaqueCode": _object(_code_fields()),
        "Site": _object({
            "slug": _ref("Slug"),
            "texts": _by_language(_object({"name": STRING, "description": STRING}), "Name and description."),
            "coordinates": _nullable(_ref("Coordinates")),
            "monument_count": {"type": "integer", "minimum": 0},
            "updated_at": TIMESTAMP,
            "links": _object({"monuments": URL, "pages": page_urls}),
        }),
        "SiteList": _object({
            "languages": {"type": "array", "items": _ref("Language")},
            "items": {"type": "array", "items": _ref("Site")},
        }),
        "TourTotals": _object({
            "distance_m": {"type": "integer", "minimum": 0,
                           "description": "Sum of the great-circle distances between consecutive stops, in metres."},
            "walking_minutes": {"type": "integer", "minimum": 0,
                                "description": "Walking time at walking_speed_kmh over the distance times the detour factor."},
            "measured": {"type": "boolean",
                         "description": "False when a stop has no coordinates: the totals count the measured legs only."},
            "stop_count": {"type": "integer", "minimum": 0},
        }),
        "TourSummary": _object({
            "slug": _ref("Slug"),
            "site": _ref("Slug"),
            "texts": _by_language(_object({"title": STRING, "summary": STRING}), "Title and summary."),
            "distance_m": {"type": "integer", "minimum": 0},
            "walking_minutes": {"type": "integer", "minimum": 0},
            "measured": {"type": "boolean"},
            "stop_count": {"type": "integer", "minimum": 0},
            "updated_at": TIMESTAMP,
            "links": _object({"self": URL, "pages": page_urls}),
        }),
        "TourList": _object({
            "languages": {"type": "array", "items": _ref("Language")},
            "site": _nullable(_ref("Slug")),
            "items": {"type": "array", "items": _ref("TourSummary")},
        }),
        "TourStop": _object({
            "position": {"type": "integer", "minimum": 1},
            "monument": _ref("Slug"),
            "texts": _by_language(_object({"name": STRING, "summary": STRING}), "The monument's name and summary."),
            "note": _by_language(_ref("Markdown"), "What to look at on the way (optional)."),
            "coordinates": _nullable(_ref("Coordinates")),
            "code": {**_nullable(_ref("Code")), "description": "The code on the monument's own plaque."},
            "leg": {**_nullable(_object({
                "distance_m": _nullable({"type": "integer", "minimum": 0}),
                "walking_minutes": _nullable({"type": "integer", "minimum": 0}),
            })), "description": "The walk from the previous stop; null for the first. Null values: not measurable."},
            "links": _object({"self": URL, "pages": page_urls}),
        }),
        "Tour": _object({
            "slug": _ref("Slug"),
            "site": _ref("Slug"),
            "languages": {"type": "array", "items": _ref("Language")},
            "texts": _by_language(_object({"title": STRING, "summary": STRING, "intro": _ref("Markdown")}),
                                  "Title, summary and introduction."),
            "distance_m": {"type": "integer", "minimum": 0},
            "walking_minutes": {"type": "integer", "minimum": 0},
            "measured": {"type": "boolean"},
            "stop_count": {"type": "integer", "minimum": 0},
            "walking_speed_kmh": {"type": "number", "exclusiveMinimum": 0},
            "detour_factor": {"type": "number", "minimum": 1},
            "stops": {"type": "array", "items": _ref("TourStop")},
            "updated_at": TIMESTAMP,
            "links": _object({"self": URL, "site": URL, "pages": page_urls}),
        }),
        "MonumentSummary": _object({
            "slug": _ref("Slug"),
            "site": _ref("Slug"),
            "texts": _by_language(_object({"name": STRING, "summary": STRING}), "Name and summary."),
            "coordinates": _nullable(_ref("Coordinates")),
            "code": {**_nullable(_ref("Code")), "description": "The code on the monument's own plaque."},
            "cover_url": _nullable(URL),
            "updated_at": TIMESTAMP,
            "distance_m": {**_nullable({"type": "integer", "minimum": 0}),
                           "description": "Great-circle distance in whole metres from near=, in a listing by "
                                          "distance; null otherwise."},
            "links": _object({"self": URL, "pages": page_urls}),
        }),
        "MonumentList": _object({
            "languages": {"type": "array", "items": _ref("Language")},
            "site": _nullable(_ref("Slug")),
            "near": {**_nullable(_ref("Coordinates")), "description": "The point of near=, if given."},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0},
            "pages": {"type": "integer", "minimum": 0},
            "next": _nullable(URL),
            "prev": _nullable(URL),
            "items": {"type": "array", "items": _ref("MonumentSummary")},
        }),
        "Stop": _object({
            "slug": _ref("Slug"),
            "position": {"type": "integer", "minimum": 1, "description": "Walking order, from 1."},
            "texts": _by_language(_object({"title": STRING, "body": _ref("Markdown")}), "Title and text."),
            "image": _nullable(_ref("Image")),
            "guides": _by_language(_ref("Guide"), "Guides."),
            "codes": {"type": "array", "items": _ref("PlaqueCode")},
            "links": _object({"pages": page_urls}),
        }),
        "Monument": _object({
            "slug": _ref("Slug"),
            "site": _ref("Slug"),
            "languages": {"type": "array", "items": _ref("Language")},
            "texts": _by_language(_object({
                "name": STRING,
                "summary": STRING,
                "body": _ref("Markdown"),
                "facts": _object({"period": STRING, "architect": STRING, "style": STRING,
                                  "address": STRING, "hours": STRING}, "Empty strings when unknown."),
            }), "Texts."),
            "year_start": _nullable(INTEGER),
            "year_end": _nullable(INTEGER),
            "coordinates": _nullable(_ref("Coordinates")),
            "access": {"type": "string", "enum": list(ACCESS_KINDS),
                       "description": "inside: visitors go in; street: seen from outside; partial."},
            "wikidata": _nullable({"type": "string", "pattern": "^Q[0-9]+$"}),
            "cover_url": _nullable(URL),
            "images": {"type": "array", "items": _ref("Image"), "description": "Cover first, then gallery."},
            "guides": _by_language(_ref("Guide"), "Guides."),
            "stops": {"type": "array", "items": _ref("Stop"), "description": "In walking order."},
            "codes": {"type": "array", "items": _ref("PlaqueCode")},
            "updated_at": TIMESTAMP,
            "jsonld": _by_language(
                {"type": "object", "required": ["@context", "@type"],
                 "properties": {"@type": {"const": "LandmarksOrHistoricalBuildings"}}},
                "The schema.org description the page embeds, as JSON-LD.",
            ),
            "links": _object({"self": URL, "site": URL, "pages": page_urls, "wikidata": _nullable(URL)}),
        }),
        "CodeTarget": _object({
            **_code_fields(),
            "type": {**_nullable({"type": "string", "enum": ["monument", "stop"]}),
                     "description": "Null only for a retired code whose target was removed."},
            "site": _ref("Slug"),
            "monument": _nullable(_ref("Slug")),
            "stop": _nullable(_ref("Slug")),
            "links": _object({
                "self": URL,
                "monument": _nullable(URL),
                "pages": _by_language(URL, "The page the code opens, in each language."),
            }),
        }),
        "PackSummary": _object({
            "site": _ref("Slug"),
            "version": {**STRING, "description": "Changes whenever any file of the pack changes."},
            "bytes": {"type": "integer", "minimum": 0},
            "names": {"type": "object", "additionalProperties": STRING,
                      "description": "The site's name, keyed by language code."},
            "url": {"type": "string", "format": "uri-reference"},
        }),
        "PackList": _object({"packs": {"type": "array", "items": _ref("PackSummary")}}),
        "Pack": _object({
            "format": {"type": "integer", "const": 1},
            "site": _ref("Slug"),
            "version": STRING,
            "names": {"type": "object", "additionalProperties": STRING},
            "languages": {"type": "array", "items": _ref("Language")},
            "default_language": _ref("Language"),
            "bytes": {"type": "integer", "minimum": 0},
            "files": {"type": "array", "items": _object({
                "url": {"type": "string", "format": "uri-reference"},
                "bytes": {"type": "integer", "minimum": 0},
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "type": {**STRING, "description": "Media type."},
            })},
            "codes": {"type": "object", "propertyNames": _ref("Code"),
                      "additionalProperties": _by_language({"type": "string", "format": "uri-reference"},
                                                           "The page the code opens."),
                      "description": "Each code in service on the site."},
            "numbers": {"type": "object", "propertyNames": {"pattern": "^[0-9]+$"},
                        "additionalProperties": _ref("Code"),
                        "description": "Keypad number to code, for typing a number on site."},
            "search": {
                "type": "object", "propertyNames": _ref("Language"),
                "description": "A small index to search the pack offline, in every language whatever "
                               "pages the pack holds: for each "
                               "monument its page, its name, and the words of its texts (folded as "
                               "search folds them, Arabic article stripped, sorted, those that start "
                               "another left out), space-separated.",
                "additionalProperties": {"type": "array", "items": {
                    "type": "array", "minItems": 3, "maxItems": 3,
                    "prefixItems": [{"type": "string", "format": "uri-reference"}, STRING, STRING],
                }},
            },
        }, "Everything a phone must store to use a site's guide with no network."),
        "SearchResult": _object({
            "slug": _ref("Slug"),
            "name": {**STRING, "description": "In the language asked for, else the default one."},
            "site": _ref("Slug"),
            "site_name": STRING,
            "summary": {**STRING, "description": "The start of the monument's summary."},
            "url": {**URL, "description": "The monument's page in the language asked for."},
            "score": {"type": "number", "description": "Relevance; only the order it gives means anything."},
        }),
        "SearchResults": _object({
            "query": STRING,
            "lang": _ref("Language"),
            "site": _nullable(_ref("Slug")),
            "items": {"type": "array", "items": _ref("SearchResult"), "description": "Best first."},
        }),
        "Error": _object({
            "error": {"type": "integer", "description": "The HTTP status."},
            "title": STRING,
            "message": {**STRING, "description": "Why, in the language of Accept-Language."},
        }),
        "UnknownCode": _object({
            "error": {"const": 404},
            "title": STRING,
            "message": {**STRING, "description": "What is wrong: length, characters, check "
                                                 "character, no such plaque, or a place not yet "
                                                 "published."},
            "suggestions": {
                "type": "array",
                "description": "Existing codes one typo away, when there are any.",
                "items": _object({"code": _ref("Code"), "url": URL}),
            },
        }),
        "RetiredCode": _object({
            "error": {"const": 410},
            "title": STRING,
            "message": STRING,
            "code": {**_ref("CodeTarget"), "description": "What the plaque used to point at."},
        }),
    }


def _language_list_pattern() -> str:
    """Match a comma-separated list of enabled languages, as ?lang= takes."""
    one = "|".join(languages())
    return f"^ *({one}) *(, *({one}) *)*$"


def _code_fields() -> dict:
    return {
        "code": _ref("Code"),
        "number": {**INTEGER, "description": "Keypad number, unique within the site."},
        "url": {**URL, "description": "The URL printed in the plaque's QR code."},
        "retired": {"type": "boolean"},
        "retired_at": _nullable(TIMESTAMP),
    }


def _error(description: str, schema: str = "Error") -> dict:
    return {"description": description, "headers": _common_headers(etag=False),
            "content": {JSON: {"schema": _ref(schema)}}}


def _common_headers(etag: bool = True) -> dict:
    headers = {"Access-Control-Allow-Origin": {"$ref": "#/components/headers/AllowOrigin"}}
    if etag:
        headers["ETag"] = {"$ref": "#/components/headers/ETag"}
        headers["Cache-Control"] = {"$ref": "#/components/headers/CacheControl"}
    return headers


def _ok(description: str, schema: str, extra_headers: dict | None = None) -> dict:
    return {
        "description": description,
        "headers": {**_common_headers(), **(extra_headers or {})},
        "content": {JSON: {"schema": _ref(schema)}},
    }


def _operation(operation_id: str, summary: str, description: str, parameters: list,
               responses: dict) -> dict:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "description": description,
            "parameters": [*parameters, {"$ref": "#/components/parameters/IfNoneMatch"}],
            "responses": {
                # Any address may be refused before the operation runs: control characters (400),
                # an overlong URL (414), oversized headers (431).
                "400": {"$ref": "#/components/responses/BadRequest"},
                **responses,
                "304": {"$ref": "#/components/responses/NotModified"},
                "405": {"$ref": "#/components/responses/MethodNotAllowed"},
                "414": {"$ref": "#/components/responses/URITooLong"},
                "431": {"$ref": "#/components/responses/HeadersTooLarge"},
            },
        }
    }


def _paths() -> dict:
    bad_request = {"$ref": "#/components/responses/BadRequest"}
    return {
        "/openapi.json": _operation(
            "getOpenapi", "This document", "The OpenAPI 3.1 description of API v1.", [],
            {"200": {"description": "The OpenAPI document.", "headers": _common_headers(),
                     "content": {JSON: {"schema": {"type": "object"}}}}},
        ),
        "/sites": _operation(
            "listSites", "List sites",
            "Every site (city or heritage area) in home-page order, in every language.", [],
            {"200": _ok("The sites.", "SiteList")},
        ),
        "/monuments": _operation(
            "listMonuments", "List monuments",
            "Monuments in guide order, a page at a time, optionally only one site's. With near=LAT,LON, "
            "nearest first by great-circle distance (ties by slug), each with distance_m; monuments "
            "without coordinates are then left out (and not counted in total). Unknown query "
            "parameters are ignored; a parameter given twice is a 400.",
            [{"$ref": "#/components/parameters/Site"}, {"$ref": "#/components/parameters/Near"},
             {"$ref": "#/components/parameters/Page"}, {"$ref": "#/components/parameters/PerPage"}],
            {
                "200": _ok("One page of monuments.", "MonumentList",
                           {"Link": {"$ref": "#/components/headers/Link"}}),
                "400": bad_request,
                "404": _error("No site has this slug, or the page is past the last one "
                              "(page 1 always exists, possibly empty)."),
            },
        ),
        "/monuments/{slug}": _operation(
            "getMonument", "Get a monument",
            "Everything about one monument in every language: texts (Markdown and HTML), facts, "
            "images, audio guides, stops, plaque codes, page URLs and schema.org JSON-LD.",
            [{"name": "slug", "in": "path", "required": True, "schema": _ref("Slug")}],
            {"200": _ok("The monument.", "Monument"), "404": _error("No monument has this slug.")},
        ),
        "/tours": _operation(
            "listTours", "List walking tours",
            "Published walking tours in guide order, every language, optionally only one site's, with "
            "their distance and walking time.",
            [{"name": "site", "in": "query", "required": False, "description": "Only this site's tours.",
              "schema": _ref("Slug")}],
            {"200": _ok("The tours.", "TourList"), "400": bad_request, "404": _error("No site has this slug.")},
        ),
        "/tours/{slug}": _operation(
            "getTour", "Get a walking tour",
            "A walking tour in every language: texts, its stops in walking order with notes, the leg "
            "before each stop, the total distance (great-circle, in metres) and walking time (minutes at "
            "walking_speed_kmh over the distance times detour_factor).",
            [{"name": "slug", "in": "path", "required": True, "schema": _ref("Slug")}],
            {"200": _ok("The tour.", "Tour"), "404": _error("No tour has this slug.")},
        ),
        "/packs": _operation(
            "listPacks", "List offline packs",
            "Each site's offline pack, with its version and total size, to check for updates.", [],
            {"200": _ok("The packs.", "PackList")},
        ),
        "/packs/{slug}": _operation(
            "getPack", "Get a site's offline pack",
            "Every file a visitor needs on site without network (pages in every language as the "
            "server sends them, images, recordings, app files), with sizes and sha256, plus the "
            "site's codes and keypad numbers. `?lang=ar` (or `ar,fr`) limits it to those languages' "
            "pages and recordings; `languages` says which it holds.",
            [{"name": "slug", "in": "path", "required": True, "schema": _ref("Slug")},
             {"name": "lang", "in": "query", "required": False,
              "schema": {"type": "string", "pattern": _language_list_pattern()},
              "description": "Comma-separated languages; all of them when absent."}],
            {"200": _ok("The pack.", "Pack"), "400": bad_request, "404": _error("No site has this slug.")},
        ),
        "/search": _operation(
            "search", "Search monuments",
            "Published monuments whose texts, in any language, hold every word of q; the last word "
            "also matches the start of a word. Diacritics, hamza and alef forms, tatweel, ى/ي, ة/ه, "
            "accents, ligatures, letter case and digits of any script are ignored, and so are the "
            "Arabic article and common word endings. Only letters and digits count: a q with none "
            "finds nothing.",
            [{"name": "q", "in": "query", "required": True,
              "description": "The words, as typed.",
              "schema": {"type": "string", "maxLength": MAX_QUERY_LENGTH,
                         "pattern": "^[^\\x00-\\x1f\\x7f-\\x9f]*$"}},
             {"name": "lang", "in": "query", "required": False,
              "description": "The language of the names, summaries and page URLs; the default language "
                             "when absent.",
              "schema": _ref("Language")},
             {"$ref": "#/components/parameters/Site"},
             {"name": "limit", "in": "query", "required": False,
              "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}}],
            {"200": _ok("The monuments found, best first (possibly none).", "SearchResults"),
             "400": bad_request},
        ),
        "/codes/{code}": _operation(
            "getCode", "Resolve a plaque code",
            "What a plaque code points at. Letter case, spaces and dashes are ignored. A code that "
            "never existed, is malformed or fails its check character is a 404 that says why, with "
            "suggestions for a one-character typo; a code whose place is not published yet is a 404 "
            "that says so; a retired code is a 410 that still says what it pointed at.",
            [{"name": "code", "in": "path", "required": True,
              "description": "As typed or scanned: other scripts' digits, full-width forms and "
                             "invisible marks are folded away.",
              # Longer input can never fold to a code; control characters are a 400.
              "schema": {"type": "string", "minLength": 1, "maxLength": MAX_RAW_LENGTH,
                         "pattern": "^[^\\x00-\\x1f\\x7f-\\x9f]+$"}}],
            {
                "200": _ok("The code and its target.", "CodeTarget"),
                "404": _error("Unknown or malformed code.", "UnknownCode"),
                "410": _error("The plaque was retired.", "RetiredCode"),
            },
        ),
    }


def openapi_document() -> dict:
    """Describe API v1: every endpoint, parameter, response and error."""
    config = current_app.config
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Dalil open data API",
            "version": "1.0.0",
            "summary": "The historic buildings of Morocco's cities, in every language of the guide.",
            "description": (
                "Read-only JSON, UTF-8. Every document carries all enabled languages "
                f"({', '.join(languages())}); only error messages follow Accept-Language. Responses "
                "have an ETag: send it back in If-None-Match to get a 304. Any origin may read "
                "(CORS). Each image carries its own credit and licence."
            ),
        },
        "servers": [{"url": config["PUBLIC_BASE_URL"] + "/api/v1"}],
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "parameters": {
                "Site": {"name": "site", "in": "query", "required": False,
                         "description": "Only this site's monuments.", "schema": _ref("Slug")},
                "Near": {"name": "near", "in": "query", "required": False,
                         "description": "A point as latitude,longitude in decimal degrees (WGS 84), ASCII "
                                        "digits, a dot for decimals, no spaces or exponent: near=33.5951,-7.6185. "
                                        "Latitude from -90 to 90, longitude from -180 to 180.",
                         "schema": {"type": "string", "pattern": NEAR_PATTERN, "maxLength": NEAR_MAX_LENGTH},
                         "example": "33.5951,-7.6185"},
                "Page": {"name": "page", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 1, "maximum": 100_000, "default": 1}},
                "PerPage": {"name": "per_page", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 1,
                                       "maximum": config["API_MAX_PAGE_SIZE"],
                                       "default": config["API_PAGE_SIZE"]}},
                "IfNoneMatch": {"name": "If-None-Match", "in": "header", "required": False,
                                "description": "An ETag from an earlier response.",
                                "schema": {"type": "string"}},
            },
            "headers": {
                "ETag": {"description": "Changes whenever the document changes.",
                         "schema": {"type": "string"}},
                "CacheControl": {"description": "Always no-cache: revalidate with If-None-Match.",
                                 "schema": {"type": "string", "const": "no-cache"}},
                "AllowOrigin": {"description": "Open data: any origin.",
                                "schema": {"type": "string", "const": "*"}},
                "Link": {"description": 'RFC 8288 links to the next and previous pages (rel="next", '
                                        'rel="prev").', "schema": {"type": "string"}},
            },
            "responses": {
                "NotModified": {"description": "The document has not changed since that ETag.",
                                "headers": _common_headers()},
                "BadRequest": _error("A query parameter is malformed, out of range or repeated, or the "
                                     "path or a query value holds a control character."),
                "URITooLong": _error(f"The path and query together exceed {MAX_URL_BYTES} bytes."),
                "HeadersTooLarge": _error(f"The request headers together exceed {MAX_HEADER_BYTES} bytes."),
                "MethodNotAllowed": _error("The API is read-only: GET, HEAD and OPTIONS only."),
            },
        },
    }
