"""The distributions a user installs: the wheel and the sdist, built from this
tree as a release would be, carry the license and the project's addresses; and
the README and the docs site name the same addresses."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
from email.parser import Parser
from importlib.metadata import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
URL_NAMES = {"Documentation", "Changelog", "Source", "Issues"}


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The wheel and the sdist, built without isolation (hatchling is a dev dependency)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        cwd=out,  # not the caller's directory: a stray build.py there would shadow `build`
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


def _urls(meta: Message) -> dict[str, str]:
    pairs = (value.split(", ", 1) for value in meta.get_all("Project-URL") or [])
    return {name: url for name, url in pairs}


def test_the_wheel_carries_the_license_the_urls_and_the_type_marker(
    dists: dict[str, Path],
) -> None:
    with zipfile.ZipFile(dists["wheel"]) as wheel:
        names = wheel.namelist()
        (license_,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert wheel.read(license_).decode() == (ROOT / "LICENSE").read_text()
        (meta_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = Parser().parsestr(wheel.read(meta_name).decode())
        assert "pytest_ecs_tasks/py.typed" in names

    assert "MIT" in (meta.get("License-Expression") or meta.get("License") or "")
    urls = _urls(meta)
    assert set(urls) == URL_NAMES
    assert all(url.startswith("https://") for url in urls.values())
    # The installed metadata (this tree, installed editable) says the same.
    assert _urls(metadata("pytest-ecs-tasks")) == urls  # type: ignore[arg-type]


def test_the_sdist_carries_the_license_and_the_urls(dists: dict[str, Path]) -> None:
    with tarfile.open(dists["sdist"]) as sdist:
        top = sdist.getnames()[0].split("/")[0]
        license_ = sdist.extractfile(f"{top}/LICENSE")
        pkg_info = sdist.extractfile(f"{top}/PKG-INFO")
        assert license_ is not None and pkg_info is not None
        assert license_.read().decode() == (ROOT / "LICENSE").read_text()
        meta = Parser().parsestr(pkg_info.read().decode())

    assert set(_urls(meta)) == URL_NAMES


def test_the_readme_and_the_docs_site_name_the_same_addresses() -> None:
    urls = _urls(metadata("pytest-ecs-tasks"))  # type: ignore[arg-type]
    readme = (ROOT / "README.md").read_text()
    mkdocs = (ROOT / "mkdocs.yml").read_text()

    assert urls["Documentation"] in readme
    assert f"site_url: {urls['Documentation']}" in mkdocs
    assert f"repo_url: {urls['Source']}" in mkdocs
    # The changelog's address is its page on the docs site, built from CHANGELOG.md.
    assert urls["Changelog"] == f"{urls['Documentation']}changelog/"
    assert "changelog.md" in mkdocs
