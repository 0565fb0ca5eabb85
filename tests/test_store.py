import shutil

import pytest

from filter import Cleaner, ModelError
from filter.store import CARD_FILE, MODEL_FILE, shipped_model_path


@pytest.fixture()
def copied_model(tmp_path):
    shipped = shipped_model_path()
    shutil.copy(shipped, tmp_path / MODEL_FILE)
    shutil.copy(shipped.with_suffix(".json"), tmp_path / CARD_FILE)
    return tmp_path


def test_model_from_another_path_needs_trust(copied_model):
    with pytest.raises(ModelError, match="trust-model"):
        Cleaner.load(copied_model)
    text = "Gold rose 2% on Friday as the dollar weakened.\nJoin Now\n"
    assert Cleaner.load(copied_model, trusted=True).clean(text) == "Gold rose 2% on Friday as the dollar weakened.\n"


def test_tampered_model_is_refused(copied_model):
    path = copied_model / MODEL_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match its card"):
        Cleaner.load(copied_model, trusted=True)


def test_model_without_card_is_refused(copied_model):
    (copied_model / CARD_FILE).unlink()
    with pytest.raises(ModelError, match="no card"):
        Cleaner.load(copied_model, trusted=True)


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="no model"):
        Cleaner.load(tmp_path / "nothing.joblib", trusted=True)
