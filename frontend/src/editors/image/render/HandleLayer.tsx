/**
 * Handles of the selected regions in screen pixels, so they keep their size at every
 * zoom: resize handles and the rotation handle of boxes and ellipses, and the points
 * and edge midpoints of polygons, polylines and keypoints. Locked regions get none.
 */
import { HANDLES, handlePoint, rotationHandlePoint } from "../../core/geometry/box";
import { keypointList } from "../../core/geometry/keypoints";
import { edgeMidpoints, toPoints } from "../../core/geometry/polygon";
import { frameOf } from "../../core/geometry/shapes";
import type { Region } from "../../core/regions";
import { type Camera, imageToScreen, screenDistanceToImage } from "../../core/viewport";
import { ROTATION_HANDLE_DISTANCE } from "../tools/rotate/handle";
import type { VertexRef } from "../tools/state";
import { pointsOf } from "../tools/vertex/points";

const HANDLE_SIZE = 8;
const VERTEX_RADIUS = 5;
const MIDPOINT_RADIUS = 3.5;

interface Props {
  camera: Camera;
  regions: readonly Region[];
  selectedVertex: VertexRef | null;
  colorOf: (region: Region) => string;
  /** The keypoint names of a keypoints region's label. */
  namesOf: (region: Region) => readonly string[];
}

function FrameHandles({
  camera,
  region,
  color,
}: {
  camera: Camera;
  region: Region;
  color: string;
}) {
  const frame = frameOf(region.shape);
  if (frame === null) return null;
  const distance = screenDistanceToImage(camera, ROTATION_HANDLE_DISTANCE);
  const top = imageToScreen(camera, handlePoint(frame, "n"));
  const knob = imageToScreen(camera, rotationHandlePoint(frame, distance));
  return (
    <>
      <line x1={top.x} y1={top.y} x2={knob.x} y2={knob.y} stroke={color} strokeWidth={1.5} />
      <circle
        data-testid="rotation-handle"
        className="handle"
        cx={knob.x}
        cy={knob.y}
        r={HANDLE_SIZE / 2 + 1}
        stroke={color}
      />
      {HANDLES.map((handle) => {
        const at = imageToScreen(camera, handlePoint(frame, handle));
        return (
          <rect
            key={handle}
            data-testid={`resize-handle-${handle}`}
            className="handle"
            x={at.x - HANDLE_SIZE / 2}
            y={at.y - HANDLE_SIZE / 2}
            width={HANDLE_SIZE}
            height={HANDLE_SIZE}
            stroke={color}
          />
        );
      })}
    </>
  );
}

interface PointHandleProps {
  camera: Camera;
  region: Region;
  color: string;
  picked: number | null;
  names: readonly string[];
}

function PointHandles({ camera, region, color, picked, names }: PointHandleProps) {
  const points = pointsOf(region.shape);
  if (points === null) return null;
  const visibilities =
    region.shape.type === "keypoints"
      ? keypointList(region.shape.points).map((point) => point.v)
      : [];
  const midpoints = points.minPoints === null ? [] : edgeMidpoints(points.flat, points.closed);
  return (
    <>
      {midpoints.map((midpoint, edge) => {
        const at = imageToScreen(camera, midpoint);
        return (
          <circle
            // Handles are plain positions with nothing to keep between renders.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            key={`m${edge}`}
            data-testid="midpoint-handle"
            className="handle midpoint"
            cx={at.x}
            cy={at.y}
            r={MIDPOINT_RADIUS}
            stroke={color}
          />
        );
      })}
      {toPoints(points.flat, points.stride).map((point, index) => {
        const at = imageToScreen(camera, point);
        const name = names[index];
        return (
          <g
            // biome-ignore lint/suspicious/noArrayIndexKey: a point's index is its identity
            key={`v${index}`}
            data-testid="vertex-handle"
            data-index={index}
            data-picked={index === picked || undefined}
          >
            <circle
              className={index === picked ? "handle picked" : "handle"}
              cx={at.x}
              cy={at.y}
              r={VERTEX_RADIUS}
              stroke={color}
              strokeDasharray={visibilities[index] === 0 ? "2 2" : undefined}
            />
            {name !== undefined && (
              <text x={at.x + 7} y={at.y - 7} fill={color} className="region-label">
                {name}
              </text>
            )}
          </g>
        );
      })}
    </>
  );
}

/** Draws the handles of the selected, visible, unlocked regions. */
export function HandleLayer({ camera, regions, selectedVertex, colorOf, namesOf }: Props) {
  return (
    <g className="handles">
      {regions.map((region) => {
        if (region.hidden || region.locked) return null;
        const color = colorOf(region);
        const picked = selectedVertex?.regionId === region.id ? selectedVertex.index : null;
        return (
          <g key={region.id}>
            <FrameHandles camera={camera} region={region} color={color} />
            <PointHandles
              camera={camera}
              region={region}
              color={color}
              picked={picked}
              names={namesOf(region)}
            />
          </g>
        );
      })}
    </g>
  );
}
