import { useQuery } from "@tanstack/react-query";
import { API_BASE, request } from "../../../../api/http";
import { ApiError } from "../../../../api/problems";
import type { Camera, Size } from "../../../core/viewport";
import { levelFor, PYRAMID_MIN_SIDE, type PyramidInfo, visibleTiles } from "./grid";

interface Props {
  /** The item's media URL; its pyramid is at `${src}/pyramid` and its tiles below it. */
  src: string;
  image: Size;
  camera: Camera;
  viewSize: Size;
}

/** Asks for the pyramid of a large image; null when the server serves the image whole. */
function usePyramid(src: string, image: Size) {
  const large = Math.max(image.width, image.height) > PYRAMID_MIN_SIDE && src.startsWith(API_BASE);
  return useQuery({
    queryKey: ["pyramid", src],
    enabled: large,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
    queryFn: async (): Promise<PyramidInfo | null> => {
      try {
        return await request<PyramidInfo>("GET", `${src.slice(API_BASE.length)}/pyramid`);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
}

/**
 * Draws the image: whole for ordinary images, or, for an image with a pyramid, only the
 * visible tiles of the level that matches the zoom over the one-tile overview.
 */
export function ImageLayer({ src, image, camera, viewSize }: Props) {
  const pyramid = usePyramid(src, image);
  const style = {
    width: image.width,
    height: image.height,
    transform: `translate(${camera.offsetX}px, ${camera.offsetY}px) scale(${camera.scale})`,
    imageRendering: camera.scale > 1 ? ("pixelated" as const) : ("auto" as const),
  };
  if (pyramid.isLoading) {
    return <div data-testid="editor-image" className="editor-image" style={style} />;
  }
  const info = pyramid.data;
  if (info === null || info === undefined) {
    return (
      <img
        src={src}
        alt=""
        draggable={false}
        data-testid="editor-image"
        className="editor-image"
        style={style}
      />
    );
  }

  const pixelRatio = typeof window === "undefined" ? 1 : window.devicePixelRatio || 1;
  const level = levelFor(info, camera.scale, pixelRatio);
  const overview = info.levels - 1;
  const tiles = level === overview ? [] : visibleTiles(info, level, camera, viewSize);
  return (
    <div
      data-testid="editor-image"
      data-tiled="true"
      data-level={level}
      className="editor-image"
      style={style}
    >
      <img
        src={`${src}/tiles/${overview}/0/0`}
        alt=""
        draggable={false}
        data-testid="editor-tile"
        style={{ position: "absolute", left: 0, top: 0, width: image.width, height: image.height }}
      />
      {tiles.map((tile) => (
        <img
          key={`${tile.level}/${tile.col}/${tile.row}`}
          src={`${src}/tiles/${tile.level}/${tile.col}/${tile.row}`}
          alt=""
          draggable={false}
          data-testid="editor-tile"
          style={{
            position: "absolute",
            left: tile.x,
            top: tile.y,
            width: tile.width,
            height: tile.height,
          }}
        />
      ))}
    </div>
  );
}
