"""The set-up script installs every Debian package that the code relies on.

A font installed by hand once made CI pass and a newcomer's machine fail: each font the
plaques and icons use must come from a package that `.ci/setup` names for both commands.
"""

import re
import shutil
import subprocess

import pytest

from guide.plaques import labels
from tests.conftest import PROJECT_ROOT

SETUP = PROJECT_ROOT / ".ci" / "setup"


def setup_packages() -> set[str]:
    """Return the Debian packages that `.ci/setup` installs for `serve` (and so for `test`)."""
    match = re.search(r"^DEBIAN_PACKAGES=\(([^)]*)\)", SETUP.read_text(), re.MULTILINE)
    assert match, "DEBIAN_PACKAGES=(…) not found in .ci/setup"
    return set(match.group(1).split())


def label_font_names() -> set[str]:
    names = set(labels.CODE_FONTS)
    for styles in labels.FONTS.values():
        for candidates in styles.values():
            names.update(candidates)
    return names


def owning_package(path: str) -> str:
    result = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True, check=True)
    return result.stdout.split(":", 1)[0]


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="not a Debian machine")
@pytest.mark.parametrize("name", sorted(label_font_names()))
def test_every_plaque_font_comes_from_a_package_the_setup_installs(app, name):
    with app.app_context():
        path = labels.find_font(name)
    assert path is not None, f"{name} is missing: the set-up script does not install it"
    package = owning_package(str(path.resolve()))
    assert package in setup_packages(), f"{name} comes from {package}, which .ci/setup does not install"


def test_the_plaque_error_names_every_font_package_the_setup_installs():
    fonts = {package for package in setup_packages() if package.startswith("fonts-")}
    assert fonts <= set(labels.DEBIAN_PACKAGES.split())
