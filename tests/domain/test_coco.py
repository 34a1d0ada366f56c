from __future__ import annotations

import io
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from pycocotools.coco import COCO

from labelloop.domain.errors import InvalidInput
from labelloop.domain.formats.coco import (
    CocoImageOut,
    find_coco_layout,
    read_coco,
    resolve_categories,
    write_coco,
)

from .samples import require_sample


def tiny_coco() -> Path:
    return require_sample("coco-tinycoco")


def minimal_document(**changes) -> dict:
    document = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 80}],
        "annotations": [
            {"id": 10, "image_id": 1, "category_id": 3, "bbox": [1, 2, 30, 40], "iscrowd": 0}
        ],
        "categories": [{"id": 3, "name": "cat", "supercategory": "animal"}],
    }
    document.update(changes)
    return document


def read_error(document, name: str = "labels.json") -> str:
    data = document if isinstance(document, str) else json.dumps(document)
    with pytest.raises(InvalidInput) as caught:
        read_coco(data, name)
    return caught.value.detail


def as_output(dataset) -> list[CocoImageOut]:
    return [
        CocoImageOut(
            id=image.id,
            file_name=image.file_name,
            width=image.width,
            height=image.height,
            regions=image.regions,
            extra=image.extra,
        )
        for image in dataset.images
    ]


# --- real sample ------------------------------------------------------------


def test_layout_of_tinycoco():
    root = tiny_coco()
    assert find_coco_layout(root) == [
        (root / "annotations" / "instances_train2017.json", root / "images" / "train2017"),
        (root / "annotations" / "instances_val2017.json", root / "images" / "val2017"),
    ]


@pytest.mark.parametrize("split", ["train2017", "val2017"])
def test_read_tinycoco_matches_json(split):
    path = tiny_coco() / "annotations" / f"instances_{split}.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    dataset = read_coco(path, path.name)

    assert len(dataset.images) == len(raw["images"])
    regions = [region for image in dataset.images for region in image.regions]
    parts = sum(
        len(a["segmentation"]) if isinstance(a["segmentation"], list) else 1
        for a in raw["annotations"]
    )
    assert len(regions) == parts
    assert [c["name"] for c in dataset.categories] == [c["name"] for c in raw["categories"]]
    assert [c["id"] for c in dataset.categories] == [c["id"] for c in raw["categories"]]

    names = {c["id"]: c["name"] for c in raw["categories"]}
    by_id: dict = {}
    for region in regions:
        by_id.setdefault(region["meta"]["coco_id"], []).append(region)
    assert len(by_id) == len(raw["annotations"])
    for annotation in raw["annotations"]:
        parts = by_id[annotation["id"]]
        first = parts[0]
        assert all(region["labels"] == [names[annotation["category_id"]]] for region in parts)
        assert first["meta"]["coco_bbox"] == annotation["bbox"]
        assert first["meta"]["coco_category_id"] == annotation["category_id"]
        segmentation = annotation["segmentation"]
        if isinstance(segmentation, list):
            assert [region["shape"]["points"] for region in parts] == segmentation
            assert first["attributes"] == {}
        else:
            assert [region["shape"]["type"] for region in parts] == ["mask"]
            assert first["shape"]["rle"]["size"] == segmentation["size"]
            assert first["attributes"] == {"iscrowd": True}
        groups = {region["group"] for region in parts}
        assert groups == ({f"coco-{annotation['id']}"} if len(parts) > 1 else {None})
    image_of = {image.id: image for image in dataset.images}
    for annotation in raw["annotations"]:
        assert by_id[annotation["id"]][0] in image_of[annotation["image_id"]].regions


def test_tinycoco_image_files_exist():
    for annotation_file, image_dir in find_coco_layout(tiny_coco()):
        dataset = read_coco(annotation_file, annotation_file.name)
        for image in dataset.images:
            assert (image_dir / image.file_name).is_file(), image.file_name


@pytest.mark.parametrize("split", ["train2017", "val2017"])
def test_tinycoco_round_trip(split, tmp_path, capsys):
    path = tiny_coco() / "annotations" / f"instances_{split}.json"
    dataset = read_coco(path, path.name)
    out_path = tmp_path / "out.json"
    with out_path.open("w", encoding="utf-8") as out:
        counts = write_coco(out, iter(as_output(dataset)), dataset.categories)

    original = COCO(str(path))
    written = COCO(str(out_path))
    capsys.readouterr()  # pycocotools prints progress lines

    assert counts.images == len(original.imgs)
    assert counts.annotations == len(original.anns)
    assert counts.skipped_regions == 0
    assert written.cats == {
        cid: {"id": cid, "name": cat["name"], "supercategory": cat["supercategory"]}
        for cid, cat in original.cats.items()
    }
    assert set(written.imgs) == set(original.imgs)
    for image_id, image in original.imgs.items():
        assert written.imgs[image_id] == image
    assert set(written.anns) == set(original.anns)
    for annotation_id, annotation in original.anns.items():
        copy = written.anns[annotation_id]
        assert copy["bbox"] == annotation["bbox"]
        assert copy["category_id"] == annotation["category_id"]
        assert copy["image_id"] == annotation["image_id"]
        assert copy["iscrowd"] == annotation["iscrowd"]
        assert copy["area"] == annotation["area"]
        assert copy["segmentation"] == annotation["segmentation"] or annotation["iscrowd"]


# --- reader validation -----------------------------------------------------


def test_read_minimal_region():
    dataset = read_coco(json.dumps(minimal_document()), "labels.json", control="boxes")
    image = dataset.images[0]
    assert (image.id, image.file_name, image.width, image.height) == (1, "a.jpg", 100, 80)
    assert image.regions == [
        {
            "id": "coco-10",
            "control": "boxes",
            "shape": {"type": "bbox", "x": 1.0, "y": 2.0, "width": 30.0, "height": 40.0},
            "labels": ["cat"],
            "attributes": {},
            "score": None,
            "group": None,
            "meta": {"coco_id": 10, "coco_category_id": 3},
        }
    ]
    assert dataset.categories == [{"id": 3, "name": "cat", "supercategory": "animal"}]


def test_read_keeps_extras():
    document = minimal_document()
    document["images"][0]["license"] = 4
    document["annotations"][0].update(score=0.75, iscrowd=1, area=12.5, attributes={"x": 1})
    image = read_coco(json.dumps(document), "labels.json").images[0]
    assert image.extra == {"license": 4}
    region = image.regions[0]
    assert region["score"] == 0.75
    assert region["attributes"] == {"x": 1, "iscrowd": True}
    assert region["meta"]["coco_area"] == 12.5
    assert region["meta"]["coco_category_id"] == 3
    assert "attributes" not in region["meta"]


def test_read_strips_bom_bytes():
    data = b"\xef\xbb\xbf" + json.dumps(minimal_document()).encode()
    assert len(read_coco(data, "bom.json").images) == 1


def test_read_strips_bom_text():
    assert len(read_coco("\ufeff" + json.dumps(minimal_document()), "bom.json").images) == 1


def test_read_utf16_with_bom():
    data = json.dumps(minimal_document()).encode("utf-16")
    assert len(read_coco(data, "utf16.json").images) == 1


def test_read_path(tmp_path):
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(minimal_document()), encoding="utf-8")
    assert len(read_coco(path, "labels.json").images) == 1


def test_read_json_syntax_error_position():
    text = '{\n  "images": [\n    {"id": 1,}\n  ]\n}'
    message = read_error(text, "broken.json")
    assert message.startswith("broken.json: invalid JSON at line 3, column 14:")
    assert "fix the file" in message


def test_read_not_utf8():
    with pytest.raises(InvalidInput, match=r"latin\.json: not valid UTF-8 text"):
        read_coco(b'{"images": "caf\xe9"}', "latin.json")


def test_read_top_level_list():
    assert "the top level must be an object" in read_error("[]")


def test_read_missing_keys():
    message = read_error({"annotations": []})
    assert "missing required key 'images'" in message
    assert "missing required key 'categories'" in message


def test_read_without_annotations():
    document = minimal_document()
    del document["annotations"]
    assert read_coco(json.dumps(document), "info.json").images[0].regions == []


def test_read_dangling_references():
    document = minimal_document()
    document["annotations"][0].update(image_id=99, category_id=42)
    message = read_error(document)
    assert "annotation 10: image_id 99 is not in 'images'" in message
    assert "annotation 10: category_id 42 is not in 'categories'" in message


@pytest.mark.parametrize(
    ("bbox", "expected"),
    [
        ([1, 2, float("nan"), 4], "annotation 10: bbox must be four finite numbers"),
        ([1, 2, float("inf"), 4], "annotation 10: bbox must be four finite numbers"),
        ([1, 2, 3], "annotation 10: bbox must be four finite numbers"),
        ([1, 2, -3, 4], "annotation 10: bbox width and height must be greater than 0"),
        ([1, 2, 3, 0], "annotation 10: bbox width and height must be greater than 0"),
    ],
)
def test_read_bad_bbox(bbox, expected):
    document = minimal_document()
    document["annotations"][0]["bbox"] = bbox
    assert expected in read_error(document)


def test_read_nan_literal_in_file():
    text = json.dumps(minimal_document()).replace("[1, 2, 30, 40]", "[1, 2, NaN, 40]")
    assert "annotation 10: bbox must be four finite numbers" in read_error(text)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"file_name": "../../etc/passwd"}, "must be a relative path inside the image folder"),
        ({"file_name": "/abs/a.jpg"}, "must be a relative path inside the image folder"),
        ({"file_name": "C:\\img\\a.jpg"}, "must be a relative path inside the image folder"),
        ({"file_name": ""}, "file_name is missing or empty"),
        ({"width": 0}, "width and height must be positive integers"),
        ({"height": 12.5}, "width and height must be positive integers"),
    ],
)
def test_read_bad_image(change, expected):
    document = minimal_document()
    document["images"][0].update(change)
    message = read_error(document)
    assert "- image 1: " in message
    assert expected in message


def test_read_accepts_integral_float_size():
    document = minimal_document()
    document["images"][0]["width"] = 100.0
    assert read_coco(json.dumps(document), "labels.json").images[0].width == 100


def test_read_duplicate_ids_and_names():
    document = minimal_document()
    document["images"].append(dict(document["images"][0]))
    document["annotations"].append(dict(document["annotations"][0]))
    document["categories"].append({"id": 4, "name": "cat"})
    message = read_error(document)
    assert "image 1: id is used by two images" in message
    assert "annotation 10: id is used by two annotations" in message
    assert "category 4: name 'cat' is also used by category 3" in message


def test_read_caps_problem_list():
    document = minimal_document()
    document["annotations"] = [
        {"id": i, "image_id": 999, "category_id": 3, "bbox": [0, 0, 1, 1]} for i in range(30)
    ]
    lines = read_error(document, "many.json").splitlines()
    assert lines[0] == "many.json: invalid COCO file (30 problems):"
    assert len(lines) == 22
    assert lines[-1] == "- and 10 more"


# --- layout ------------------------------------------------------------------


def test_layout_official_coco(tmp_path):
    (tmp_path / "annotations").mkdir()
    (tmp_path / "train2017").mkdir()
    for name in ("instances_train2017.json", "person_keypoints_train2017.json"):
        (tmp_path / "annotations" / name).write_text("{}")
    (tmp_path / "annotations" / "image_info_test2017.json").write_text("{}")
    assert find_coco_layout(tmp_path) == [
        (tmp_path / "annotations" / "instances_train2017.json", tmp_path / "train2017"),
        (tmp_path / "annotations" / "person_keypoints_train2017.json", tmp_path / "train2017"),
    ]


def test_layout_flat_images(tmp_path):
    (tmp_path / "annotations").mkdir()
    (tmp_path / "images").mkdir()
    (tmp_path / "annotations" / "labels.json").write_text("{}")
    assert find_coco_layout(tmp_path) == [
        (tmp_path / "annotations" / "labels.json", tmp_path / "images")
    ]


def test_layout_json_beside_images(tmp_path):
    for split in ("train", "valid"):
        (tmp_path / split).mkdir()
        (tmp_path / split / "_annotations.coco.json").write_text("{}")
    assert find_coco_layout(tmp_path) == [
        (tmp_path / "train" / "_annotations.coco.json", tmp_path / "train"),
        (tmp_path / "valid" / "_annotations.coco.json", tmp_path / "valid"),
    ]


def test_layout_empty(tmp_path):
    assert find_coco_layout(tmp_path) == []


# --- writer ------------------------------------------------------------------


def test_write_assigns_category_ids():
    assert resolve_categories([{"name": "cat"}, {"name": "dog"}]) == [
        {"id": 1, "name": "cat", "supercategory": ""},
        {"id": 2, "name": "dog", "supercategory": ""},
    ]
    assert [c["id"] for c in resolve_categories([{"id": 7, "name": "a"}, {"name": "b"}])] == [7, 8]


@pytest.mark.parametrize(
    ("categories", "expected"),
    [
        ([{"name": "a"}, {"name": "a"}], "category name 'a' repeats"),
        ([{"id": 1, "name": "a"}, {"id": 1, "name": "b"}], "category ids repeat"),
        ([{"id": 1}], "has no name"),
    ],
)
def test_write_bad_categories(categories, expected):
    with pytest.raises(InvalidInput, match=expected):
        resolve_categories(categories)


def test_write_empty_is_valid_json():
    out = io.StringIO()
    write_coco(out, [], [{"name": "cat"}])
    assert json.loads(out.getvalue()) == {
        "info": {},
        "licenses": [],
        "images": [],
        "annotations": [],
        "categories": [{"id": 1, "name": "cat", "supercategory": ""}],
    }


def test_write_region_details():
    regions = [
        {
            "id": "r1",
            "control": "objects",
            "shape": {"type": "bbox", "x": 1, "y": 2, "width": 3, "height": 4, "rotation": 30},
            "labels": ["cat"],
            "attributes": {"iscrowd": True, "occluded": False},
            "score": 0.5,
            "meta": {"coco_id": 77},
        },
        {"id": "r2", "control": "kind", "shape": {"type": "choice"}, "labels": ["cat"]},
        {
            "id": "r3",
            "shape": {"type": "bbox", "x": 0, "y": 0, "width": 5, "height": 5},
            "labels": ["cat"],
        },
    ]
    out = io.StringIO()
    counts = write_coco(out, [CocoImageOut(5, "a.jpg", 10, 10, regions)], [{"name": "cat"}])
    document = json.loads(out.getvalue())
    first, second = document["annotations"]
    assert first == {
        "id": 77,
        "image_id": 5,
        "category_id": 1,
        "bbox": [1.0, 2.0, 3.0, 4.0],
        "area": 12.0,
        "iscrowd": 1,
        "segmentation": [],
        "score": 0.5,
        "attributes": {"occluded": False, "rotation": 30},
    }
    assert second["id"] == 1
    assert second["iscrowd"] == 0
    assert "attributes" not in second
    # The choice region is an image label, not a skipped shape.
    assert (counts.images, counts.annotations, counts.skipped_regions) == (1, 2, 0)


def test_write_unique_annotation_ids():
    box = {"type": "bbox", "x": 0, "y": 0, "width": 1, "height": 1}
    regions = [
        {"id": "a", "shape": box, "labels": ["cat"]},
        {"id": "b", "shape": box, "labels": ["cat"], "meta": {"coco_id": 1}},
        {"id": "c", "shape": box, "labels": ["cat"], "meta": {"coco_id": 1}},
    ]
    out = io.StringIO()
    write_coco(out, [CocoImageOut(1, "a.jpg", 10, 10, regions)], [{"name": "cat"}])
    ids = [a["id"] for a in json.loads(out.getvalue())["annotations"]]
    assert len(set(ids)) == 3


def test_write_unknown_label():
    region = {"id": "r1", "shape": {"type": "bbox", "x": 0, "y": 0, "width": 1, "height": 1}}
    region["labels"] = ["dog"]
    with pytest.raises(InvalidInput, match=r"image 1 \(a.jpg\), region 'r1': label 'dog'"):
        write_coco(io.StringIO(), [CocoImageOut(1, "a.jpg", 10, 10, [region])], [{"name": "cat"}])


def test_write_rejects_nan_box():
    region = {"id": "r1", "shape": {"type": "bbox", "x": math.nan, "y": 0, "width": 1, "height": 1}}
    region["labels"] = ["cat"]
    with pytest.raises(InvalidInput, match="bbox needs finite x, y, width and height"):
        write_coco(io.StringIO(), [CocoImageOut(1, "a.jpg", 10, 10, [region])], [{"name": "cat"}])


def test_write_rejects_bad_image():
    with pytest.raises(InvalidInput, match="width and height must be positive integers"):
        write_coco(io.StringIO(), [CocoImageOut(1, "a.jpg", 0, 10)], [{"name": "cat"}])


def test_write_consumes_lazily():
    consumed = []

    def images():
        for i in range(3):
            consumed.append(i)
            yield CocoImageOut(i + 1, f"{i}.jpg", 10, 10)

    out = io.StringIO()
    write_coco(out, images(), [{"name": "cat"}])
    assert consumed == [0, 1, 2]
    assert len(json.loads(out.getvalue())["images"]) == 3


def test_random_round_trip(capsys, tmp_path):
    """Seeded random boxes survive write_coco, pycocotools and read_coco unchanged."""
    rng = np.random.default_rng(7)
    names = ["cat", "dog", "traffic light", "ünïcode"]
    images = []
    for image_id in range(1, 41):
        width, height = (int(v) for v in rng.integers(20, 2000, size=2))
        regions = []
        for index in range(int(rng.integers(0, 6))):
            x, y = rng.uniform(0, width - 1), rng.uniform(0, height - 1)
            box = {
                "type": "bbox",
                "x": float(x),
                "y": float(y),
                "width": float(rng.uniform(0.01, width - x)),
                "height": float(rng.uniform(0.01, height - y)),
            }
            label = names[int(rng.integers(0, len(names)))]
            regions.append({"id": f"r{index}", "shape": box, "labels": [label]})
        images.append(CocoImageOut(image_id, f"img/{image_id}.jpg", width, height, regions))

    path = tmp_path / "random.json"
    with path.open("w", encoding="utf-8") as out:
        write_coco(out, images, [{"name": name} for name in names])
    loaded = COCO(str(path))
    capsys.readouterr()
    assert len(loaded.imgs) == 40
    dataset = read_coco(path, path.name)

    assert [c["name"] for c in dataset.categories] == names
    for written, read in zip(images, dataset.images, strict=True):
        assert (read.id, read.file_name, read.width, read.height) == (
            written.id,
            written.file_name,
            written.width,
            written.height,
        )
        assert [r["shape"] for r in read.regions] == [r["shape"] for r in written.regions]
        assert [r["labels"] for r in read.regions] == [r["labels"] for r in written.regions]
    category_counts = Counter(loaded.cats[a["category_id"]]["name"] for a in loaded.anns.values())
    expected = Counter(r["labels"][0] for image in images for r in image.regions)
    assert category_counts == expected
