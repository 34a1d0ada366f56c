"""CVAT for images 1.1: reading every element, and rejecting bad or hostile files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from labelloop.domain.errors import InvalidInput
from labelloop.domain.formats.cvat import READER, read_cvat
from labelloop.domain.masks import decode_rle

META = """<meta><task><labels>
  <label><name>car</name><color>#ff0000</color><attributes>
    <attribute><name>parked</name><input_type>checkbox</input_type>
      <default_value>false</default_value><values>false\ntrue</values></attribute>
    <attribute><name>make</name><input_type>select</input_type>
      <default_value>audi</default_value><values>audi\nbmw</values></attribute>
    <attribute><name>speed</name><input_type>number</input_type>
      <default_value>0</default_value><values>0\n300\n1</values></attribute>
  </attributes></label>
  <label><name>person</name></label>
</labels></task></meta>"""


def document(body: str, meta: str = META) -> bytes:
    return f"<annotations><version>1.1</version>{meta}{body}</annotations>".encode()


def single_image(shapes: str, width: int = 20, height: int = 10) -> bytes:
    return document(
        f'<image id="0" name="a.jpg" width="{width}" height="{height}">{shapes}</image>'
    )


def test_box_attributes_and_rotation():
    shapes = (
        '<box label="car" occluded="1" xtl="1" ytl="2" xbr="5" ybr="8" rotation="30" '
        'z_order="2" group_id="4" source="manual">'
        '<attribute name="parked">true</attribute><attribute name="make">bmw</attribute>'
        '<attribute name="speed">12.5</attribute></box>'
    )
    image = read_cvat(single_image(shapes), "a.xml").images[0][1]
    region = image.regions[0]
    assert region["shape"] == {
        "type": "bbox",
        "x": 1.0,
        "y": 2.0,
        "width": 4.0,
        "height": 6.0,
        "rotation": 30.0,
    }
    assert region["attributes"] == {"occluded": True, "parked": True, "make": "bmw", "speed": 12.5}
    assert region["group"] == 4
    assert region["z_order"] == 2
    assert region["meta"] == {"cvat_source": "manual"}


def test_meta_attributes_become_schema_types():
    labels = read_cvat(single_image(""), "a.xml").labels
    car = labels[0]
    assert car["color"] == "#ff0000"
    assert car["attributes"] == [
        {"name": "parked", "type": "boolean", "default": False},
        {"name": "make", "type": "choice", "values": ["audi", "bmw"], "default": "audi"},
        {"name": "speed", "type": "number", "default": 0.0},
    ]


def test_points_polyline_ellipse_tag():
    shapes = (
        '<points label="person" occluded="1" points="1,2;3,4"/>'
        '<polyline label="car" points="0,0;5,5"/>'
        '<ellipse label="car" cx="5" cy="5" rx="2" ry="3" rotation="10"/>'
        '<tag label="person"/>'
    )
    regions = read_cvat(single_image(shapes), "a.xml").images[0][1].regions
    assert regions[0]["shape"]["points"] == [1.0, 2.0, 1.0, 3.0, 4.0, 1.0]
    assert regions[1]["shape"] == {"type": "polyline", "points": [0.0, 0.0, 5.0, 5.0]}
    assert regions[2]["shape"]["rotation"] == 10.0
    assert regions[3]["shape"] == {"type": "choice"}
    assert regions[3]["control"] == "class"


def test_mask_window_becomes_full_image_rle():
    # A 3x2 window at left 4, top 1: rows "011" and "110" in row-major order.
    shapes = '<mask label="car" rle="1, 4, 1" left="4" top="1" width="3" height="2"/>'
    region = read_cvat(single_image(shapes), "a.xml").images[0][1].regions[0]
    mask = decode_rle(region["shape"]["rle"])
    expected = np.zeros((10, 20), dtype=bool)
    expected[1, 5:7] = True
    expected[2, 4:6] = True
    assert np.array_equal(mask, expected)


def test_unlabeled_shape_gets_unlabeled_control():
    region = read_cvat(single_image('<polygon label="" points="1,1;4,1;4,4"/>'), "a.xml")
    assert region.images[0][1].regions[0]["control"] == "polygons_unlabeled"
    assert region.images[0][1].regions[0]["labels"] == []


@pytest.mark.parametrize(
    ("shapes", "fragment"),
    [
        ('<box label="truck" xtl="1" ytl="1" xbr="2" ybr="2"/>', "label 'truck' is not in <meta>"),
        ('<box label="car" xtl="5" ytl="1" xbr="2" ybr="2"/>', "xbr and ybr must be greater"),
        ('<box label="car" xtl="nan" ytl="1" xbr="2" ybr="2"/>', "must be finite numbers"),
        ('<polygon label="car" points="1,1;2,2"/>', "needs at least 3 points"),
        ('<mask label="car" rle="5" left="0" top="0" width="3" height="2"/>', "add up to 5"),
        ('<mask label="car" rle="6" left="19" top="0" width="3" height="2"/>', "does not fit"),
        (
            '<box label="car" xtl="1" ytl="1" xbr="2" ybr="2">'
            '<attribute name="make">tesla</attribute></box>',
            "'tesla' is not one of",
        ),
        ('<cuboid label="car"/>', "2D cuboids"),
    ],
)
def test_bad_shape_is_reported(shapes: str, fragment: str):
    with pytest.raises(InvalidInput, match="invalid CVAT file") as error:
        read_cvat(single_image(shapes), "bad.xml")
    assert fragment in error.value.detail
    assert "bad.xml" in error.value.detail
    assert "<image> id '0'" in error.value.detail


@pytest.mark.parametrize("name", ["/etc/passwd", "../outside.jpg", "C:\\images\\a.jpg"])
def test_escaping_image_name_is_rejected(name: str):
    data = document(f'<image id="3" name="{name}" width="2" height="2"/>')
    with pytest.raises(InvalidInput, match="relative path inside the image folder"):
        read_cvat(data, "a.xml")
    image = read_cvat(data, "a.xml", match_by_name=True).images[0][1]
    assert "/" not in image.file_name
    assert ".." not in image.file_name


def test_entity_expansion_is_rejected():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        "<annotations>&lol2;</annotations>"
    )
    with pytest.raises(InvalidInput, match="evil.xml: the XML declares a DTD or entities"):
        read_cvat(laughs.encode(), "evil.xml")


def test_external_entity_is_rejected():
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<annotations><image id='0' name='&x;' width='1' height='1'/></annotations>"
    )
    with pytest.raises(InvalidInput, match="xxe.xml: the XML declares a DTD"):
        read_cvat(xxe.encode(), "xxe.xml")


def test_truncated_xml_names_line():
    with pytest.raises(InvalidInput, match=r"cut.xml: invalid XML at line 2, column"):
        read_cvat(b"<annotations>\n<image id='0'", "cut.xml")


def test_duplicate_image_id_is_reported():
    body = '<image id="1" name="a.jpg" width="2" height="2"/>' * 2
    with pytest.raises(InvalidInput, match="id is used by another image"):
        read_cvat(document(body), "a.xml")


def test_track_is_rejected_with_fix():
    with pytest.raises(InvalidInput, match="export the task as CVAT for images 1.1"):
        read_cvat(document('<track id="0" label="car"/>'), "video.xml")


def test_reader_groups_project_subsets(tmp_path: Path):
    body = (
        '<image id="0" name="a.jpg" subset="Train" width="4" height="4"/>'
        '<image id="0" name="a.jpg" subset="Test" width="4" height="4"/>'
    )
    (tmp_path / "annotations.xml").write_bytes(document(body))
    (tmp_path / "images" / "Train").mkdir(parents=True)
    assert READER.detect(tmp_path)
    datasets = READER.read(tmp_path, None)
    assert [dataset.source for dataset in datasets] == [
        "annotations.xml:Train",
        "annotations.xml:Test",
    ]
    assert datasets[0].image_root == tmp_path / "images" / "Train"
