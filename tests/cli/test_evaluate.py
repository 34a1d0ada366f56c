"""`labelloop evaluate` on the real COCO sample with predictions imported beside it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from labelloop.cli import app
from tests.cli.test_import_export import run
from tests.conftest import shared_data

runner = CliRunner()


def shifted_predictions(source: Path, target: Path, shift: float) -> Path:
    """Write the file's boxes shrunk by ``shift`` of their size, with scores; shrinking
    keeps them inside the image, which imports require."""
    document = json.loads(source.read_text())
    for annotation in document["annotations"]:
        x, y, w, h = annotation["bbox"]
        annotation["bbox"] = [x, y, w * (1 - shift), h * (1 - shift)]
        annotation["score"] = 0.9
        if shift:
            # Shrunk boxes no longer fit their outlines, so the outlines are dropped.
            annotation.pop("segmentation", None)
    target.write_text(json.dumps(document))
    return target


def import_with_predictions(data_dir: Path, tmp_path: Path, shift: float) -> None:
    sample = shared_data("coco-tinycoco")
    truth = sample / "annotations" / "instances_val2017.json"
    images = sample / "images" / "val2017"
    run("import", "tiny", str(truth), "--images", str(images), "--data-dir", str(data_dir))
    predicted = shifted_predictions(truth, tmp_path / "predicted.json", shift)
    run(
        "import",
        "tiny",
        str(predicted),
        "--images",
        str(images),
        "--as-predictions",
        "--data-dir",
        str(data_dir),
    )
    run("export", "tiny", "--out", str(tmp_path / "export"), "--data-dir", str(data_dir))


def test_exact_predictions_score_full_ap(data_dir: Path, tmp_path: Path):
    import_with_predictions(data_dir, tmp_path, 0.0)
    output = run("evaluate", "tiny", "--split", "all", "--data-dir", str(data_dir))
    assert "6 of 6 items predicted" in output
    assert re.search(r"mAP@\[\.5:\.95\]\s+│ 1\.0000", output), output


def test_shifted_predictions_score_lower(data_dir: Path, tmp_path: Path):
    from labelloop.services.context import Context
    from labelloop.services.evaluation import evaluate_project
    from labelloop.settings import Settings

    import_with_predictions(data_dir, tmp_path, 0.25)
    result = evaluate_project(
        Context.from_settings(Settings(data_dir=data_dir)), "tiny", None, split="all"
    )
    assert result["task"] == "detection"
    assert 0 < result["map"] < 0.6
    names = result["confusion"]["labels"]
    assert names[-1] == "(background)"
    assert sum(map(sum, result["confusion"]["matrix"])) > 0


def test_unknown_split_is_an_error(data_dir: Path, tmp_path: Path):
    import_with_predictions(data_dir, tmp_path, 0.0)
    result = runner.invoke(app, ["evaluate", "tiny", "--split", "dev", "--data-dir", str(data_dir)])
    assert result.exit_code == 1
    assert "split='dev' is not known" in result.output
