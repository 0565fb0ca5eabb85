"""The wheel carries the model: build it, install it into a fresh environment, clean an article there."""
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.mark.skipif(os.environ.get("PROMO_FILTER_SKIP_INSTALL") == "1", reason="install test switched off")
def test_wheel_installs_and_cleans(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)], check=True, capture_output=True)
    wheel = next(dist.glob("promo_filter-*.whl"))
    env_dir = tmp_path / "env"
    # The fresh environment reuses this one's packages for the dependencies; the project comes from the wheel only.
    venv.EnvBuilder(system_site_packages=False, with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run([sys.executable, "-c", "import sklearn, os; print(os.path.dirname(os.path.dirname(sklearn.__file__)))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": site}
    text = (ROOT / "examples" / "article.txt").read_text(encoding="utf-8")
    result = subprocess.run([str(env_dir / "bin" / "promo-filter"), "clean"], input=text, capture_output=True,
                            text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Join Now" not in result.stdout and "Harbor Bank said on Tuesday" in result.stdout
    installed = subprocess.run([str(python), "-c", "import filter, sys; print(filter.__file__)"], capture_output=True,
                               text=True, env=env, cwd=tmp_path).stdout
    assert str(env_dir) in installed  # the installed copy ran, not the source tree
