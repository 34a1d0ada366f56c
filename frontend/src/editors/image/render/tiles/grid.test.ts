import { describe, expect, it } from "vitest";
import { levelFor, levelSize, type PyramidInfo, visibleTiles } from "./grid";

const INFO: PyramidInfo = { width: 10_000, height: 10_000, tile_size: 512, levels: 6 };

describe("tile grid", () => {
  it("halves level sizes rounding up", () => {
    expect(levelSize(INFO, 0)).toEqual({ width: 10_000, height: 10_000 });
    expect(levelSize(INFO, 5)).toEqual({ width: 313, height: 313 });
  });

  it("picks the coarsest level that stays sharp", () => {
    expect(levelFor(INFO, 2)).toBe(0);
    expect(levelFor(INFO, 1)).toBe(0);
    expect(levelFor(INFO, 0.5)).toBe(1);
    expect(levelFor(INFO, 0.3)).toBe(1);
    expect(levelFor(INFO, 0.3, 2)).toBe(0);
    expect(levelFor(INFO, 0.01)).toBe(5);
  });

  it("lists only the tiles in view", () => {
    const camera = { scale: 1, offsetX: -1000, offsetY: -600 };

    const tiles = visibleTiles(INFO, 0, camera, { width: 800, height: 400 });

    expect(tiles.map((tile) => [tile.col, tile.row])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    expect(tiles[0]).toMatchObject({ x: 512, y: 512, width: 512, height: 512 });
  });

  it("places the edge tiles of a coarse level", () => {
    const camera = { scale: 0.04, offsetX: 0, offsetY: 0 };

    const tiles = visibleTiles(INFO, 5, camera, { width: 800, height: 800 });

    expect(tiles).toEqual([
      { level: 5, col: 0, row: 0, x: 0, y: 0, width: 10_000, height: 10_000 },
    ]);
    const last = visibleTiles(
      INFO,
      0,
      { scale: 1, offsetX: -9800, offsetY: -9800 },
      { width: 100, height: 100 },
    );
    expect(last).toEqual([
      { level: 0, col: 19, row: 19, x: 9728, y: 9728, width: 272, height: 272 },
    ]);
  });
});
