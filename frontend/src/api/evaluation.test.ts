import { describe, expect, it } from "vitest";
import { readEvaluation, usedClasses } from "./evaluation";

describe("readEvaluation", () => {
  it("reads a detection result", () => {
    const result = readEvaluation({
      task: "detection",
      dataset_version: 2,
      split: "test",
      items: 10,
      items_with_predictions: 9,
      map: 0.5,
      ap50: 0.8,
      ap75: 0.4,
      per_class: { cat: 0.6, dog: null },
      confusion: {
        labels: ["cat", "dog", "(background)"],
        matrix: [
          [1, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
        ],
      },
    });
    expect(result?.metrics[0]).toEqual(["mAP@[.5:.95]", 0.5]);
    expect(result?.perClass).toEqual([["cat", 0.6]]);
  });

  it("rejects other job results", () => {
    expect(readEvaluation({ imported: 3 })).toBeNull();
    expect(readEvaluation(null)).toBeNull();
  });
});

describe("usedClasses", () => {
  it("keeps rows or columns with counts", () => {
    const confusion = {
      labels: ["a", "b", "c"],
      matrix: [
        [0, 2, 0],
        [0, 0, 0],
        [0, 0, 0],
      ],
    };
    expect(usedClasses(confusion)).toEqual([0, 1]);
  });
});
