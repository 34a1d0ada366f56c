"""MIT LabelMe XML: Datumaro's real sample imports with every object."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from labelloop.domain.errors import InvalidInput
from labelloop.domain.formats.labelme_xml import READER
from labelloop.domain.masks import rle_area
from tests.conftest import shared_data


def test_datumaro_sample_keeps_every_object():
    root = shared_data("formats-datumaro") / "labelme_dataset"
    assert READER.detect(root)
    [dataset] = READER.read(root, None)
    [image] = dataset.images
    xml = next((root / "Annotations").rglob("*.xml")).read_text()
    objects = re.findall(r"<object>.*?</object>", xml)
    live = [o for o in objects if "<deleted>1</deleted>" not in o]
    assert len(image.regions) == len(live) == 7
    kinds = sorted(region["shape"]["type"] for region in image.regions)
    assert kinds == ["bbox", "mask", "mask", "polygon", "polygon", "polygon", "polygon"]
    assert (image.width, image.height) == (102, 77)
    for region in image.regions:
        if region["shape"]["type"] != "mask":
            continue
        name = re.search(
            rf"<id>{region['meta']['labelme_id']}</id>.*?<mask>(.*?)</mask>", xml
        ).group(1)
        pixels = np.asarray(Image.open(root / "Masks" / "subset1" / name))
        assert rle_area(region["shape"]["rle"]) == int(pixels.any(axis=2).sum())
    occluded = {r["labels"][0]: r["attributes"]["occluded"] for r in image.regions}
    assert occluded["o1"] is True
    assert occluded["window"] is False


def test_entity_declarations_are_rejected(tmp_path: Path):
    hostile = tmp_path / "a.xml"
    hostile.write_text(
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">]>'
        "<annotation><filename>a.png</filename><object><name>&x;</name></object></annotation>"
    )
    with pytest.raises(InvalidInput, match="a.xml: the XML declares a DTD or entities"):
        READER.read(hostile, None)


def test_object_without_shape_is_reported(tmp_path: Path):
    file = tmp_path / "b.xml"
    file.write_text(
        "<annotation><filename>b.png</filename><imagesize><nrows>4</nrows><ncols>4</ncols>"
        "</imagesize><object><name>x</name><deleted>0</deleted><id>3</id></object></annotation>"
    )
    with pytest.raises(InvalidInput, match="object 3: has neither <polygon> nor <segm>"):
        READER.read(file, None)
