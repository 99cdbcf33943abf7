"""Benchmark: the persona map (UMAP) for 5,000 and 100,000 respondents, each in a fresh Python process.

Also printed: the map's neighbour purity (issue 14), the mean share of each respondent's 10 nearest map neighbours
that share its persona (at least 0.8 wanted on the demo), and, with `--demo`, the same on the demo project's own
saved model and data/processed (run notebooks 01 and 03 first).

Budget (issue 4): 5,000 respondents < 10 s and 100,000 < 90 s on the project's 2-core machine, counted from the
start of a fresh interpreter (imports, loading the saved model and the answers, encoding, the map) — the way a
user's notebook or `alignkit` command meets it. Respondents are synthetic survey waves drawn from the demo
generator (alignkit.demo.write_survey_wave), read and cleaned like any export; the persona model is fitted
once on the first wave. Preparing the data is not timed.

    .venv/bin/python bench/persona_map.py                # both sizes
    .venv/bin/python bench/persona_map.py 5000           # one size
    .venv/bin/python bench/persona_map.py --demo         # the demo project's own map: neighbour purity only
    .venv/bin/python bench/persona_map.py --cold-cache   # also: 5,000 with an empty numba cache (the first run
                                                         # after install)

umap-learn's numba code is compiled once per installation and cached (`make install` does it); `--cold-cache`
measures that one-off cost by pointing NUMBA_CACHE_DIR at an empty folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import joblib
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

BUDGET_S = {5_000: 10.0, 100_000: 90.0}

CHILD = r"""
import time
start = time.perf_counter()
import json, resource, sys
import joblib
import pandas as pd
from alignkit.personas.map import neighbour_purity, persona_map
imported = time.perf_counter()
model = joblib.load(sys.argv[1])
answers = pd.read_parquet(sys.argv[2])
loaded = time.perf_counter()
Z = model.transform(answers)
encoded = time.perf_counter()
steps = {}
xy = persona_map(Z, random_state=42, timings=steps)
done = time.perf_counter()
purity = neighbour_purity(xy, model.predict(answers))
print(json.dumps({"neighbour_purity": purity, "rows": len(answers), "import_s": imported - start,
                  "load_s": loaded - imported, "encode_s": encoded - loaded, "map_s": done - encoded,
                  "in_process_s": done - start, "steps": steps,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def survey_frame(n: int, folder: Path, seed: int) -> pd.DataFrame:
    """Return n synthetic responses, read and cleaned like a real export."""
    from alignkit.config import load_settings
    from alignkit.demo.generator import write_survey_wave
    from alignkit.ingest.survey import read_survey
    from alignkit.prepare.clean import CleaningLog
    from alignkit.prepare.tables import clean_survey

    settings = load_settings(REPO / "alignkit.yml")
    path, _ = write_survey_wave(folder / f"wave_{n}.csv", seed=seed, n_responses=n)
    responses, _ = clean_survey(read_survey(path), settings, log=CleaningLog(), lead_ids_by_email=None)
    return responses


def main(sizes: list[int], *, cold_cache: bool = False) -> int:
    from alignkit.personas.model import PersonaModel, persona_features

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("preparing synthetic respondents (not timed) …", file=sys.stderr)
        from alignkit.config import load_settings
        from alignkit.demo.generator import write_survey_wave
        from alignkit.ingest.survey import read_survey
        from alignkit.prepare.clean import CleaningLog
        from alignkit.prepare.tables import clean_survey

        path, _ = write_survey_wave(folder / "fit.csv", seed=7, n_responses=3000)
        responses, codebook = clean_survey(
            read_survey(path), load_settings(REPO / "alignkit.yml"), log=CleaningLog(), lead_ids_by_email=None
        )
        features = persona_features(codebook)
        model = PersonaModel(
            5,
            features=list(features["column"]),
            blocks=dict(zip(features["column"], features["block"])),
            random_state=42,
        ).fit(responses[responses["quality_ok"]])
        joblib.dump(model, folder / "model.joblib")
        rows = []
        runs = [(n, False) for n in sizes] + ([(5_000, True)] if cold_cache else [])
        for n, cold in runs:
            if not (folder / f"answers_{n}.parquet").exists():
                survey_frame(n, folder, seed=1000 + n).to_parquet(folder / f"answers_{n}.parquet")
            env = dict(os.environ)
            if cold:
                (folder / "numba_cache").mkdir(exist_ok=True)
                env["NUMBA_CACHE_DIR"] = str(folder / "numba_cache")
            begin = time.perf_counter()
            child = subprocess.run(
                [sys.executable, "-c", CHILD, str(folder / "model.joblib"), str(folder / f"answers_{n}.parquet")],
                capture_output=True,
                text=True,
                cwd=REPO,
                check=True,
                env=env,
            )
            wall = time.perf_counter() - begin
            result = json.loads(child.stdout.strip().splitlines()[-1])
            result["fresh_process_wall_s"] = wall
            rows.append(result)
            steps = ", ".join(f"{k.removesuffix('_s')} {v:.2f} s" for k, v in result["steps"].items())
            verdict = "within" if wall < BUDGET_S.get(n, float("inf")) else "OVER"
            label = " (empty numba cache: first run after install)" if cold else ""
            print(
                f"{n:>7,} respondents{label}: {wall:6.2f} s in a fresh process ({verdict} the "
                f"{BUDGET_S.get(n, float('nan')):.0f} s budget); imports {result['import_s']:.2f} s, load "
                f"{result['load_s']:.2f} s, encode {result['encode_s']:.2f} s, map {result['map_s']:.2f} s "
                f"[{steps}]; peak RSS {result['peak_rss_mb']:.0f} MB; neighbour purity "
                f"{result['neighbour_purity']:.3f} (share of the 10 nearest map neighbours in the same persona)"
            )
    return 0


def demo_purity() -> int:
    """Print the neighbour purity of the demo project's persona map (its saved model and data/processed)."""
    from alignkit.config import load_settings
    from alignkit.personas.analysis import load_bundle, load_inputs
    from alignkit.personas.map import neighbour_purity, persona_map

    settings = load_settings(REPO / "alignkit.yml")
    model = load_bundle(settings)["model"]
    responses = load_inputs(settings)[0]
    xy = persona_map(model.transform(responses), random_state=settings.seed)
    print(
        f"demo ({len(responses):,} respondents, {model.n_clusters_} personas): neighbour purity "
        f"{neighbour_purity(xy, model.predict(responses)):.3f}"
    )
    return 0


if __name__ == "__main__":
    if "--demo" in sys.argv:
        raise SystemExit(demo_purity())
    arguments = [a for a in sys.argv[1:] if a != "--cold-cache"]
    raise SystemExit(main([int(a) for a in arguments] or [5_000, 100_000], cold_cache="--cold-cache" in sys.argv))
