from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from labelloop.domain.errors import InvalidInput
from labelloop.domain.formats.voc import READER, parse_voc_xml, read_voc_annotation
from labelloop.domain.formats.voc_xml import voc_colormap

from .samples import require_sample

OBJECT = (
    "<object><name>cat</name><pose>Left</pose><truncated>1</truncated>"
    "<difficult>0</difficult><occluded>1</occluded>"
    "<bndbox><xmin>{0}</xmin><ymin>{1}</ymin><xmax>{2}</xmax><ymax>{3}</ymax></bndbox>"
    "</object>"
)


def document(*objects: str) -> bytes:
    body = "".join(objects)
    return (
        "<annotation><filename>a.jpg</filename><size><width>20</width>"
        f"<height>10</height><depth>3</depth></size>{body}</annotation>"
    ).encode()


def read(data: bytes) -> tuple[dict, list[str]]:
    return read_voc_annotation(parse_voc_xml(data, "a.xml"), "a.xml")


def test_corners_are_one_based_inclusive():
    fields, problems = read(document(OBJECT.format(1, 2, 3, 4), OBJECT.format(5, 5, 5, 5)))
    assert problems == []
    first, single = (region["shape"] for region in fields["regions"])
    assert first == {"type": "bbox", "x": 0.0, "y": 1.0, "width": 3.0, "height": 3.0}
    assert (single["width"], single["height"]) == (1.0, 1.0)
    assert (fields["width"], fields["height"]) == (20, 10)


def test_flags_become_attributes():
    fields, _ = read(document(OBJECT.format(1, 2, 3, 4)))
    assert fields["regions"][0]["attributes"] == {
        "difficult": False,
        "truncated": True,
        "occluded": True,
        "pose": "Left",
    }


@pytest.mark.parametrize(
    ("corners", "expected"),
    [
        (("nan", 1, 2, 3), "object 1: bndbox/xmin must be a finite number"),
        (("", 1, 2, 3), "object 1: bndbox/xmin must be a finite number"),
        ((5, 1, 2, 3), "object 1: bndbox max corner (2, 3) is before the min corner"),
    ],
)
def test_bad_boxes_are_listed(corners, expected):
    _, problems = read(document(OBJECT.format(*corners)))
    assert any(expected in problem for problem in problems), problems


def test_xxe_is_rejected():
    data = (
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<annotation><filename>&x;</filename></annotation>"
    )
    with pytest.raises(InvalidInput, match=r"a\.xml: rejected because the XML declares"):
        parse_voc_xml(data, "a.xml")


def test_billion_laughs_is_rejected():
    entities = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    data = (
        f'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY l0 "ha">{entities}]>'
        "<annotation><filename>&l9;</filename></annotation>"
    ).encode()
    with pytest.raises(InvalidInput, match="remove the <!DOCTYPE> block"):
        parse_voc_xml(data, "laughs.xml")


def test_truncated_xml_names_line():
    with pytest.raises(InvalidInput, match=r"cut\.xml: invalid XML at line 2, column"):
        parse_voc_xml(b"<annotation>\n<object><name>cat</name>", "cut.xml")


def write_folder(root: Path, xml: bytes) -> None:
    (root / "Annotations").mkdir(parents=True)
    (root / "JPEGImages").mkdir()
    (root / "Annotations" / "a.xml").write_bytes(xml)
    Image.new("RGB", (20, 10)).save(root / "JPEGImages" / "a.jpg")


def test_folder_with_one_bad_file_imports_nothing(tmp_path: Path):
    write_folder(tmp_path / "voc", document(OBJECT.format(1, 2, 3, 4)))
    (tmp_path / "voc" / "Annotations" / "b.xml").write_bytes(b"<!DOCTYPE x []><annotation/>")
    with pytest.raises(InvalidInput, match=r"Annotations/b\.xml: rejected"):
        READER.read(tmp_path / "voc", None)


def test_rgb_segmentation_masks(tmp_path: Path):
    root = tmp_path / "voc"
    write_folder(root, document(OBJECT.format(1, 1, 4, 4)))
    (root / "SegmentationObject").mkdir()
    (root / "SegmentationClass").mkdir()
    objects = np.zeros((10, 20, 3), dtype=np.uint8)
    objects[0:4, 0:4] = voc_colormap(1)
    classes = np.zeros((10, 20, 3), dtype=np.uint8)
    classes[0:4, 0:4] = voc_colormap(8)  # cat in the VOC class list
    Image.fromarray(objects).save(root / "SegmentationObject" / "a.png")
    Image.fromarray(classes).save(root / "SegmentationClass" / "a.png")

    image = READER.read(root, None)[0].images[0]
    box, mask = image.regions
    assert mask["shape"]["type"] == "mask"
    assert mask["labels"] == ["cat"]
    assert box["group"] == mask["group"] == "voc-1"


def test_bccd_sample_reads_every_box():
    dataset = READER.read(require_sample("voc-bccd"), None)[0]
    assert len(dataset.images) == 364
    assert sum(len(image.regions) for image in dataset.images) == 4888
    splits = {image.meta.get("split") for image in dataset.images}
    assert splits <= {"train", "validation", "test"}
