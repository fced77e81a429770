"""How long a 100-plaque sheet takes: drawing, PDF and PNG.

    python bench/bench_labels.py [COUNT]

Needs no database: the plaques are made up from sample names, as long as real ones.
"""

import statistics
import sys
import time
from pathlib import Path

# Run from anywhere, without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guide import create_app
from guide.codes.format import new_code
from guide.plaques.labels import PlaqueData
from guide.plaques.labels import pdf_bytes
from guide.plaques.labels import png_bytes
from guide.plaques.labels import render_pages

NAMES = [
    ({"ar": "مسجد الحسن الثاني", "fr": "Mosquée Hassan II"}),
    ({"ar": "حي الأحباس (المدينة الجديدة)", "fr": "Quartier des Habous (Nouvelle Médina)"}),
    ({"ar": "قاعة الوضوء والحمامات", "fr": "La salle des ablutions et les hammams"}),
    ({"ar": "مقر الولاية (دار البلدية سابقًا)", "fr": "Wilaya (ancien hôtel de ville)"}),
    ({"ar": "الصومعة", "fr": "Le minaret"}),
]


def timed(function, repeat: int = 3):
    times, result = [], None
    for _attempt in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def main(count: int = 100) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "PUBLIC_BASE_URL": "https://dalil.example",
                      "SECRET_KEY": "bench"})
    taken: set[str] = set()
    plaques = []
    for index in range(count):
        code = new_code(taken)
        taken.add(code)
        plaques.append(PlaqueData(code, index + 1, NAMES[index % len(NAMES)]))
    with app.app_context():
        for layout in ("sheet", "plaque"):
            best, median, pages = timed(lambda layout=layout: render_pages(plaques, layout))
            pdf_best, pdf_median, pdf = timed(lambda pages=pages: pdf_bytes(pages))
            png_best, png_median, _files = timed(lambda pages=pages: [png_bytes(page) for page in pages], 1)
            print(f"{count} plaques, layout {layout}: {len(pages)} pages")
            print(f"  draw   {best:6.2f} s best, {median:6.2f} s median")
            print(f"  pdf    {pdf_best:6.2f} s best, {pdf_median:6.2f} s median, {len(pdf) / 1e6:.1f} MB")
            print(f"  png    {png_best:6.2f} s for every page")
            print(f"  total  {best + pdf_best:6.2f} s (draw + pdf)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
