import { describe, expect, it } from "vitest";
import { imagePoint } from "../viewport";
import {
  deleteVertex,
  edgeMidpoints,
  hitEdge,
  hitVertex,
  insertVertex,
  MIN_POLYGON_POINTS,
  MIN_POLYLINE_POINTS,
  pointInPolygon,
  polygonArea,
} from "./polygon";

const square = [0, 0, 10, 0, 10, 10, 0, 10];

describe("polygon geometry", () => {
  it("area of a square either way round", () => {
    expect(polygonArea(square)).toBe(100);
    expect(polygonArea([0, 10, 10, 10, 10, 0, 0, 0])).toBe(100);
  });

  it("area of a triangle", () => {
    expect(polygonArea([0, 0, 4, 0, 0, 3])).toBe(6);
  });

  it("point in polygon", () => {
    expect(pointInPolygon(square, imagePoint(5, 5))).toBe(true);
    expect(pointInPolygon(square, imagePoint(11, 5))).toBe(false);
    const concave = [0, 0, 10, 0, 10, 10, 5, 5, 0, 10];
    expect(pointInPolygon(concave, imagePoint(5, 8))).toBe(false);
    expect(pointInPolygon(concave, imagePoint(5, 3))).toBe(true);
  });

  it("hit edge closes the ring only when asked", () => {
    expect(hitEdge(square, imagePoint(0.5, 5), 1, true)).toBe(3);
    expect(hitEdge(square, imagePoint(0.5, 5), 1, false)).toBeNull();
    expect(hitEdge(square, imagePoint(5, 9.5), 1, false)).toBe(2);
  });

  it("hit vertex picks the nearest", () => {
    expect(hitVertex(square, imagePoint(9.5, 9.8), 1)).toBe(2);
    expect(hitVertex(square, imagePoint(5, 5), 1)).toBeNull();
  });

  it("insert on an edge", () => {
    const [midpoint] = edgeMidpoints(square, true);
    expect(midpoint).toEqual(imagePoint(5, 0));
    expect(insertVertex(square, 0, imagePoint(5, 0))).toEqual([0, 0, 5, 0, 10, 0, 10, 10, 0, 10]);
    expect(insertVertex(square, 3, imagePoint(0, 5))).toEqual([...square, 0, 5]);
  });

  it("delete keeps the minimum", () => {
    expect(deleteVertex(square, 1, MIN_POLYGON_POINTS)).toEqual([0, 0, 10, 10, 0, 10]);
    expect(deleteVertex([0, 0, 1, 0, 1, 1], 0, MIN_POLYGON_POINTS)).toBeNull();
    expect(deleteVertex([0, 0, 1, 0, 1, 1], 0, MIN_POLYLINE_POINTS)).toEqual([1, 0, 1, 1]);
    expect(deleteVertex([0, 0, 1, 0], 0, MIN_POLYLINE_POINTS)).toBeNull();
  });
});
