/**
 * The only place that converts between screen and image coordinates. Screen points
 * are CSS pixels relative to the editor canvas's top-left corner; image points are
 * image pixels (origin top-left, x right, y down). screen = image * scale + offset.
 */

export type ScreenPoint = { readonly x: number; readonly y: number; readonly __space: "screen" };
export type ImagePoint = { readonly x: number; readonly y: number; readonly __space: "image" };

export interface Camera {
  /** Screen pixels per image pixel. */
  scale: number;
  offsetX: number;
  offsetY: number;
}

export interface Size {
  width: number;
  height: number;
}

export const MIN_SCALE = 0.05;
export const MAX_SCALE = 256;

export function screenPoint(x: number, y: number): ScreenPoint {
  return { x, y } as ScreenPoint;
}

export function imagePoint(x: number, y: number): ImagePoint {
  return { x, y } as ImagePoint;
}

export function screenToImage(camera: Camera, point: ScreenPoint): ImagePoint {
  return imagePoint(
    (point.x - camera.offsetX) / camera.scale,
    (point.y - camera.offsetY) / camera.scale,
  );
}

export function imageToScreen(camera: Camera, point: ImagePoint): ScreenPoint {
  return screenPoint(
    point.x * camera.scale + camera.offsetX,
    point.y * camera.scale + camera.offsetY,
  );
}

/** Converts a distance in screen pixels, such as a hit tolerance, to image pixels. */
export function screenDistanceToImage(camera: Camera, distance: number): number {
  return distance / camera.scale;
}

/** Scales the image to fill the view with `padding` screen pixels around it, centred. */
export function fitCamera(image: Size, view: Size, padding = 16): Camera {
  const availableWidth = Math.max(1, view.width - 2 * padding);
  const availableHeight = Math.max(1, view.height - 2 * padding);
  const scale = clampScale(Math.min(availableWidth / image.width, availableHeight / image.height));
  return {
    scale,
    offsetX: (view.width - image.width * scale) / 2,
    offsetY: (view.height - image.height * scale) / 2,
  };
}

/** Zooms by `factor` keeping the image point under `anchor` in place. */
export function zoomAt(camera: Camera, anchor: ScreenPoint, factor: number): Camera {
  const scale = clampScale(camera.scale * factor);
  const fixed = screenToImage(camera, anchor);
  return { scale, offsetX: anchor.x - fixed.x * scale, offsetY: anchor.y - fixed.y * scale };
}

export function panBy(camera: Camera, dx: number, dy: number): Camera {
  return { ...camera, offsetX: camera.offsetX + dx, offsetY: camera.offsetY + dy };
}

function clampScale(scale: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
}
