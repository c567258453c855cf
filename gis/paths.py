"""Where the project's files are: one place, so no module guesses a path.

The toolkit is installed editable (``pip install -e .``) from a clone; data live beside the
code in the repository, and the plan texts in ``../shared/seeds`` next to the clone
(overridable with the environment variable ``PLANLAYERS_SEEDS``).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ROOT / "layers"
SPECS = LAYERS / "specs"
BOUNDARIES = ROOT / "data" / "boundaries"
GAZETTEER_DATA = ROOT / "geocoding" / "data"
STYLES = ROOT / "gis" / "styles.yaml"


def seeds_dir() -> Path | None:
    """The folder of plan texts, or None when it is absent (a user's clone without ../shared)."""
    env = os.environ.get("PLANLAYERS_SEEDS")
    path = Path(env) if env else ROOT.parent / "shared" / "seeds"
    return path if path.is_dir() else None
