"""Saving and loading a trained model with its JSON card.

A joblib file runs code when loaded, so a model is loaded only when its SHA-256
matches its card, and a model outside the package only when the caller trusts it.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from pathlib import Path

MODEL_FILE = "promo-filter.joblib"
CARD_FILE = "promo-filter.json"
FORMAT = 1

MISSING = "no model at {path}: train one with `promo-filter train` or pass the path of a model file"
NO_CARD = "model {path} has no card ({card}); refusing to load a model that cannot be checked"
TAMPERED = (
    "model {path} does not match its card (SHA-256 {actual}, card says {expected}); "
    "refusing to load it: retrain with `promo-filter train` or restore the file"
)
UNTRUSTED = (
    "model {path} is not the shipped model; loading a model runs code, so pass --trust-model "
    "(Python: trusted=True) if you trust where it came from"
)
VERSION = (
    "model {path} was trained with scikit-learn {trained}, this is {installed}; "
    "retrain it with `promo-filter train` (or install scikit-learn {trained})"
)
CORRUPT = "model {path} cannot be read ({error}); retrain it with `promo-filter train` or restore the file"
LAYOUT = (
    "model {path} was trained by a release of promo-filter that reads lines differently ({problem}); "
    "retrain it with `promo-filter train`"
)


#: Bundles already loaded in this process, by the SHA-256 of their file: the same bytes give the
#: same model, so cleaners created again (e.g. one per call of a pipeline step) share it.
_LOADED: dict[str, dict] = {}


class ModelError(RuntimeError):
    """A model file is missing, tampered with, untrusted or unreadable."""


def shipped_model_path() -> Path:
    """Path of the shipped model: inside the installed package, or models/ of a source checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "models" / MODEL_FILE  # where the wheel puts models/
    return installed if installed.exists() else package.parent / "models" / MODEL_FILE


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def card_path(model_path: Path) -> Path:
    return model_path.with_suffix(".json")


def versions() -> dict:
    import joblib
    import sklearn

    from . import __version__

    return {
        "promo-filter": __version__,
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "joblib": joblib.__version__,
    }


def write_atomic(path: Path, write) -> None:
    """Call write(file object) on a temporary file beside path, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes files private; a model is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(bundle: dict, out_dir: str | Path, card: dict) -> tuple[Path, dict]:
    """Write bundle with joblib and its card into out_dir; return the model path and the full card."""
    import joblib

    out_dir = Path(out_dir)
    model_path = out_dir / MODEL_FILE
    write_atomic(model_path, lambda fh: joblib.dump({"format": FORMAT, **bundle}, fh, compress=3))
    full = {**card, "versions": versions(), "model_file": MODEL_FILE, "model_sha256": file_sha256(model_path)}
    text = json.dumps(full, indent=2, ensure_ascii=False) + "\n"
    write_atomic(card_path(model_path), lambda fh: fh.write(text.encode("utf-8")))
    return model_path, full


def load(path: str | Path | None = None, trusted: bool = False) -> tuple[dict, dict]:
    """Load a model bundle and its card after checking them; raise ModelError if unsafe."""
    shipped = shipped_model_path()
    model_path = Path(path) if path is not None else shipped
    if model_path.is_dir():
        model_path = model_path / MODEL_FILE
    if not model_path.is_file():
        raise ModelError(MISSING.format(path=model_path))
    is_shipped = model_path.resolve() == shipped.resolve()
    if not (is_shipped or trusted):
        raise ModelError(UNTRUSTED.format(path=model_path))
    card_file = card_path(model_path)
    try:
        card = json.loads(card_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(NO_CARD.format(path=model_path, card=card_file)) from None
    except (OSError, ValueError) as exc:
        raise ModelError(CORRUPT.format(path=card_file, error=exc)) from None
    actual = file_sha256(model_path)
    if actual != card.get("model_sha256"):
        raise ModelError(TAMPERED.format(path=model_path, actual=actual, expected=card.get("model_sha256")))
    import sklearn

    trained = card.get("versions", {}).get("scikit-learn", "")
    if trained.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        raise ModelError(VERSION.format(path=model_path, trained=trained, installed=sklearn.__version__))
    if actual in _LOADED:
        return _LOADED[actual], card
    import joblib

    try:
        bundle = joblib.load(model_path)
    except Exception as exc:  # a damaged pickle can raise almost anything
        raise ModelError(CORRUPT.format(path=model_path, error=f"{type(exc).__name__}: {exc}")) from None
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise ModelError(CORRUPT.format(path=model_path, error="unknown model format"))
    if not callable(getattr(bundle.get("model"), "layout_mismatch", None)):
        raise ModelError(CORRUPT.format(path=model_path, error="no line model in the file"))
    problem = bundle["model"].layout_mismatch()
    if problem:
        raise ModelError(LAYOUT.format(path=model_path, problem=problem))
    _LOADED[actual] = bundle
    return bundle, card
