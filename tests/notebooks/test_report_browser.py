"""The HTML report renders in a real browser: headless Chromium (Debian's `chromium`).

Two looks at the report `verdicts report` wrote: a copy with a small probe script is loaded
with --dump-dom, the probe recording each <img>'s load state, natural size and place on the
page; then the report itself is screenshotted at full height, and each image's area of the
screenshot must be drawn (many colours, not blank) while the page around them is text.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from cli import main

INSTALL = "apt-get install -y chromium"
CHARTS = 4
PROBE = """<script>
window.addEventListener('load', () => {
  const imgs = [...document.images].map(i => {
    const r = i.getBoundingClientRect();
    return {complete: i.complete, w: i.naturalWidth, h: i.naturalHeight,
            x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height};
  });
  document.body.setAttribute('data-probe', JSON.stringify(
    {imgs, height: document.documentElement.scrollHeight,
     conclusions: document.querySelectorAll('.conclusions li').length}));
});
</script>"""


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("chromium")
    assert exe, f"headless Chromium is needed for this test: {INSTALL}"
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--force-device-scale-factor=1", "--hide-scrollbars",
           f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=True)


@pytest.fixture(scope="module")
def report(analytics_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    assert main(["report", "--data-dir", str(analytics_dir), "--out", str(out)]) == 0
    return out / "report.html"


def _probe(report: Path, tmp: Path) -> dict:
    probed = tmp / "probed.html"
    probed.write_text(report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                      encoding="utf-8")
    dom = _chromium(tmp, "--virtual-time-budget=10000", "--window-size=1200,2000",
                    "--dump-dom", probed.as_uri()).stdout
    m = re.search(r'data-probe="([^"]*)"', dom)
    assert m, "the probe did not run: the page never finished loading"
    return json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_report_renders_in_chromium(report: Path, tmp_path: Path) -> None:
    probe = _probe(report, tmp_path)
    imgs = probe["imgs"]
    assert len(imgs) == CHARTS
    for img in imgs:  # decoded, and laid out at a readable size
        assert img["complete"] and img["w"] > 300 and img["h"] > 200, img
        assert img["width"] > 300 and img["height"] > 150, img
    assert probe["conclusions"] >= 6

    height = min(int(probe["height"]) + 10, 20_000)
    shot = tmp_path / "report.png"
    _chromium(tmp_path, f"--window-size=1200,{height}", f"--screenshot={shot}",
              "--virtual-time-budget=10000", report.as_uri())
    page = Image.open(shot).convert("RGB")
    assert page.size == (1200, height)
    for img in imgs:
        box = (int(img["x"]) + 2, int(img["y"]) + 2,
               int(img["x"] + img["width"]) - 2, int(img["y"] + img["height"]) - 2)
        area = page.crop(box)
        colours = area.getcolors(maxcolors=1 << 20) or []
        inked = sum(n for n, rgb in colours if min(rgb) < 200)
        assert len(colours) >= 64, (box, len(colours))  # a drawn chart, not a blank box
        assert inked / (area.width * area.height) > 0.02, box  # lines and bars, not white
    # Between the charts: the report's text is drawn too (title, questions, conclusions).
    top = page.crop((0, 0, 1200, int(imgs[0]["y"])))
    assert len(top.getcolors(maxcolors=1 << 20) or []) >= 8
