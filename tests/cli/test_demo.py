"""`labelloop demo --no-serve` builds both demo projects from bundled images."""

from __future__ import annotations

from typer.testing import CliRunner

from labelloop.cli import app

runner = CliRunner()


def test_demo_loads_digits_and_photos_once(tmp_path, monkeypatch):
    monkeypatch.delenv("LABELLOOP_DATABASE_URL", raising=False)
    data_dir = tmp_path / "demo"
    first = runner.invoke(app, ["demo", "--no-serve", "--data-dir", str(data_dir)])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["demo", "--no-serve", "--data-dir", str(data_dir)])
    assert again.exit_code == 0, again.output

    listing = runner.invoke(app, ["projects", "--data-dir", str(data_dir)]).output
    assert "Digits\t1797 items, 0 submitted" in listing
    assert "Photos\t15 items, 0 submitted" in listing

    from sqlalchemy import select

    from labelloop.db.models import Item, Project
    from labelloop.services.context import Context
    from labelloop.settings import Settings

    context = Context.from_settings(Settings(data_dir=data_dir))
    with context.session() as session:
        digits = session.scalar(select(Project.id).where(Project.name == "Digits"))
        truths = session.scalars(select(Item.ground_truth).where(Item.project_id == digits))
        labels = {truth["labels"][0] for truth in truths}
        photos = set(
            session.scalars(select(Item.file_name).join(Project).where(Project.name == "Photos"))
        )
    assert labels == {str(digit) for digit in range(10)}
    assert {"astronaut.png", "chelsea.png", "stereo_motorcycle_left.png", "china.jpg"} <= photos
