import { type CSSProperties, useMemo } from "react";
import { drawOrder } from "../../core/geometry/hitTest";
import { type BoxRegion, isBoxRegion, type Region } from "../../core/regions";
import { type Camera, imagePoint, imageToScreen } from "../../core/viewport";
import type { VertexRef } from "../tools/state";
import { HandleLayer } from "./HandleLayer";
import { RegionShapes, type SkeletonOf } from "./shapes";

export type ColorOf = (region: Region) => string;

function screenRect(camera: Camera, region: BoxRegion) {
  const { x, y, width, height } = region.shape;
  const topLeft = imageToScreen(camera, imagePoint(x, y));
  const bottomRight = imageToScreen(camera, imagePoint(x + width, y + height));
  return {
    x: topLeft.x,
    y: topLeft.y,
    width: bottomRight.x - topLeft.x,
    height: bottomRight.y - topLeft.y,
  };
}

interface Props {
  camera: Camera;
  regions: readonly Region[];
  selectedIds: readonly string[];
  colorOf: ColorOf;
}

/** Screen pixels of region labels and keypoint dots, whatever the zoom. */
const LABEL_SIZE = 12;
const KEYPOINT_RADIUS = 4;

interface RegionLayerProps extends Props {
  skeletonOf: SkeletonOf;
  namesOf: (region: Region) => readonly string[];
  selectedVertex: VertexRef | null;
}

/**
 * Draws the annotation's regions in z-order in one image-space group, and the handles of
 * the selected ones in screen space over them.
 */
export function RegionLayer({
  camera,
  regions,
  selectedIds,
  colorOf,
  skeletonOf,
  namesOf,
  selectedVertex,
}: RegionLayerProps) {
  const ordered = useMemo(() => drawOrder(regions), [regions]);
  const selected = new Set(selectedIds);
  const style = {
    "--label-size": `${LABEL_SIZE / camera.scale}px`,
    "--label-stroke": `${3 / camera.scale}px`,
    "--point-radius": `${KEYPOINT_RADIUS / camera.scale}px`,
  } as CSSProperties;
  return (
    <>
      <g
        transform={`translate(${camera.offsetX} ${camera.offsetY}) scale(${camera.scale})`}
        style={style}
      >
        <RegionShapes
          regions={ordered}
          selectedIds={selectedIds}
          colorOf={colorOf}
          skeletonOf={skeletonOf}
        />
      </g>
      <HandleLayer
        camera={camera}
        regions={ordered.filter((region) => selected.has(region.id))}
        selectedVertex={selectedVertex}
        colorOf={colorOf}
        namesOf={namesOf}
      />
    </>
  );
}

/** Draws a model's suggested boxes, dashed, with their scores. */
export function SuggestionLayer({ camera, regions, colorOf }: Omit<Props, "selectedIds">) {
  return (
    <g className="suggestions">
      {regions.filter(isBoxRegion).map((region) => {
        const rect = screenRect(camera, region);
        const color = colorOf(region);
        const score = region.score === null ? "" : ` ${region.score.toFixed(2)}`;
        return (
          <g key={region.id} data-testid="suggestion-bbox">
            <rect {...rect} stroke={color} strokeWidth={2} strokeDasharray="6 4" fill="none" />
            <text
              x={rect.x + 2}
              y={rect.y + rect.height + 14}
              fill={color}
              className="region-label"
            >
              {region.labels.join(", ")}
              {score}
            </text>
          </g>
        );
      })}
    </g>
  );
}
