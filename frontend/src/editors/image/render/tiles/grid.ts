/**
 * Tile selection from an image pyramid for a camera. Level 0 is the full image and
 * each next level halves both sides, rounding up, as the server's pyramid does.
 */
import { type Camera, type Size, screenPoint, screenToImage } from "../../../core/viewport";

export interface PyramidInfo {
  width: number;
  height: number;
  tile_size: number;
  levels: number;
}

/** One tile to draw, placed in full-image pixels. */
export interface TilePlacement {
  level: number;
  col: number;
  row: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Images above this many pixels on a side may have a pyramid on the server. */
export const PYRAMID_MIN_SIDE = 4096;

export function levelSize(info: PyramidInfo, level: number): Size {
  let { width, height } = info;
  for (let step = 0; step < level; step += 1) {
    width = Math.ceil(width / 2);
    height = Math.ceil(height / 2);
  }
  return { width, height };
}

/**
 * Returns the coarsest level that still has at least one tile pixel per device pixel,
 * so the picture stays sharp while as few pixels as possible are loaded.
 */
export function levelFor(info: PyramidInfo, scale: number, pixelRatio = 1): number {
  const devicePixelsPerImagePixel = scale * pixelRatio;
  if (devicePixelsPerImagePixel >= 1) return 0;
  const level = Math.floor(Math.log2(1 / devicePixelsPerImagePixel));
  return Math.min(info.levels - 1, Math.max(0, level));
}

/** Returns the tiles of `level` that intersect the view, in column then row order. */
export function visibleTiles(
  info: PyramidInfo,
  level: number,
  camera: Camera,
  view: Size,
): TilePlacement[] {
  const topLeft = screenToImage(camera, screenPoint(0, 0));
  const bottomRight = screenToImage(camera, screenPoint(view.width, view.height));
  const factor = 2 ** level;
  const span = info.tile_size * factor;
  const size = levelSize(info, level);
  const columns = Math.ceil(size.width / info.tile_size);
  const rows = Math.ceil(size.height / info.tile_size);

  const firstCol = Math.max(0, Math.floor(topLeft.x / span));
  const lastCol = Math.min(columns - 1, Math.floor(bottomRight.x / span));
  const firstRow = Math.max(0, Math.floor(topLeft.y / span));
  const lastRow = Math.min(rows - 1, Math.floor(bottomRight.y / span));
  const tiles: TilePlacement[] = [];
  for (let col = firstCol; col <= lastCol; col += 1) {
    for (let row = firstRow; row <= lastRow; row += 1) {
      const tileWidth = Math.min(info.tile_size, size.width - col * info.tile_size);
      const tileHeight = Math.min(info.tile_size, size.height - row * info.tile_size);
      tiles.push({
        level,
        col,
        row,
        x: col * span,
        y: row * span,
        // A level pixel covers `factor` image pixels, except past the image's own edge.
        width: Math.min(tileWidth * factor, info.width - col * span),
        height: Math.min(tileHeight * factor, info.height - row * span),
      });
    }
  }
  return tiles;
}
