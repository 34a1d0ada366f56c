/**
 * One SVG element per region, drawn in image pixels inside a group that the camera
 * transforms. Panning and zooming change only that group's transform and two CSS
 * variables, so the memoised region elements do not re-render.
 */
import { memo } from "react";
import { boxCentre, rotationOf } from "../../core/geometry/box";
import { keypointList, skeletonSegments } from "../../core/geometry/keypoints";
import { shapeBounds } from "../../core/geometry/shapes";
import type { Region, Shape } from "../../core/regions";

export type Skeleton = readonly (readonly [number, number])[];

/** Returns the skeleton of a keypoints region's label, or an empty list. */
export type SkeletonOf = (region: Region) => Skeleton;

interface ShapeProps {
  region: Region;
  color: string;
  selected: boolean;
  skeleton: Skeleton;
}

function pointList(flat: readonly number[]): string {
  const pairs: string[] = [];
  for (let index = 0; index + 1 < flat.length; index += 2) {
    pairs.push(`${flat[index]},${flat[index + 1]}`);
  }
  return pairs.join(" ");
}

/** Returns SVG path data for a ring and its holes, filled by the even-odd rule. */
function ringsPath(rings: readonly (readonly number[])[]): string {
  return rings
    .filter((ring) => ring.length >= 6)
    .map((ring) => `M${pointList(ring)}Z`)
    .join(" ");
}

function Outline({ shape, color, selected }: { shape: Shape; color: string; selected: boolean }) {
  const stroke = {
    stroke: color,
    strokeWidth: selected ? 3 : 2,
    vectorEffect: "non-scaling-stroke" as const,
  };
  switch (shape.type) {
    case "bbox": {
      const centre = boxCentre(shape);
      const turn = `rotate(${rotationOf(shape)} ${centre.x} ${centre.y})`;
      const { x, y, width, height } = shape;
      return (
        <rect
          {...{ x, y, width, height }}
          transform={turn}
          fill={color}
          fillOpacity={0.12}
          {...stroke}
        />
      );
    }
    case "ellipse": {
      const { cx, cy, rx, ry } = shape;
      const turn = `rotate(${shape.rotation} ${cx} ${cy})`;
      return (
        <ellipse
          {...{ cx, cy, rx, ry }}
          transform={turn}
          fill={color}
          fillOpacity={0.12}
          {...stroke}
        />
      );
    }
    case "polygon":
      return (
        <path
          d={ringsPath([shape.points, ...shape.holes])}
          fillRule="evenodd"
          fill={color}
          fillOpacity={0.12}
          {...stroke}
        />
      );
    case "polyline":
      return <polyline points={pointList(shape.points)} fill="none" {...stroke} />;
    default:
      return null;
  }
}

function Keypoints({
  points,
  skeleton,
  color,
}: {
  points: readonly number[];
  skeleton: Skeleton;
  color: string;
}) {
  return (
    <>
      {skeletonSegments(points, skeleton).map(([a, b]) => (
        <line
          key={`${a.x},${a.y},${b.x},${b.y}`}
          x1={a.x}
          y1={a.y}
          x2={b.x}
          y2={b.y}
          stroke={color}
          strokeWidth={2}
          vectorEffect="non-scaling-stroke"
        />
      ))}
      {keypointList(points).map((point, index) =>
        point.v === 0 ? null : (
          <circle
            // Keypoints keep their index for life, so it is a stable key.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            key={index}
            className="keypoint"
            cx={point.x}
            cy={point.y}
            r={1}
            fill={point.v === 2 ? color : "#fff"}
            stroke={color}
            strokeWidth={1.5}
            vectorEffect="non-scaling-stroke"
            data-visibility={point.v}
          />
        ),
      )}
    </>
  );
}

/** Draws one region with its label; memoised, so it re-renders only when the region changes. */
export const RegionShape = memo(function RegionShape({
  region,
  color,
  selected,
  skeleton,
}: ShapeProps) {
  const bounds = shapeBounds(region.shape);
  if (bounds === null) return null;
  const group = region.group === null ? "" : ` · group ${region.group}`;
  return (
    <g
      data-testid={`region-${region.shape.type}`}
      data-region-id={region.id}
      data-selected={selected || undefined}
      data-locked={region.locked || undefined}
    >
      <Outline shape={region.shape} color={color} selected={selected} />
      {region.shape.type === "keypoints" && (
        <Keypoints points={region.shape.points} skeleton={skeleton} color={color} />
      )}
      <text x={bounds.left} y={bounds.top} dy="-0.35em" fill={color} className="shape-label">
        {region.labels.join(", ") || "(no label)"}
        {group}
        {region.locked ? " (locked)" : ""}
      </text>
    </g>
  );
});

interface ShapesProps {
  /** The regions in drawing order, bottom first. */
  regions: readonly Region[];
  selectedIds: readonly string[];
  colorOf: (region: Region) => string;
  skeletonOf: SkeletonOf;
}

/** Draws every visible region; memoised so that camera changes skip it entirely. */
export const RegionShapes = memo(function RegionShapes({
  regions,
  selectedIds,
  colorOf,
  skeletonOf,
}: ShapesProps) {
  const selected = new Set(selectedIds);
  return (
    <>
      {regions.map((region) =>
        region.hidden || region.shape.type === "choice" ? null : (
          <RegionShape
            key={region.id}
            region={region}
            color={colorOf(region)}
            selected={selected.has(region.id)}
            skeleton={skeletonOf(region)}
          />
        ),
      )}
    </>
  );
});
