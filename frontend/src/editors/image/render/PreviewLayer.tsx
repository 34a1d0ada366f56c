/** The unfinished polygon, polyline or keypoints of a drawing tool, in screen pixels. */
import { toPoints } from "../../core/geometry/polygon";
import { type Camera, imageToScreen } from "../../core/viewport";
import type { DrawingPreview } from "../tools/state";

const POINT_RADIUS = 4;

interface Props {
  camera: Camera;
  preview: DrawingPreview | null;
  color: string;
}

export function PreviewLayer({ camera, preview, color }: Props) {
  if (preview === null) return null;
  const placed = toPoints(preview.points).map((point) => imageToScreen(camera, point));
  const cursor = preview.cursor === null ? null : imageToScreen(camera, preview.cursor);
  const path = cursor === null ? placed : [...placed, cursor];
  const closing = preview.type === "polygon" && placed.length >= 2 ? placed[0] : undefined;
  const line = [...path, ...(closing ? [closing] : [])].map((at) => `${at.x},${at.y}`).join(" ");
  return (
    <g data-testid="drawing-preview" data-points={placed.length}>
      {preview.type !== "keypoints" && (
        <polyline points={line} fill="none" stroke={color} strokeWidth={2} strokeDasharray="6 4" />
      )}
      {placed.map((at, index) => (
        <circle
          // Points are only appended while drawing, so the index is stable.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          key={index}
          className="handle"
          cx={at.x}
          cy={at.y}
          r={POINT_RADIUS}
          stroke={color}
        />
      ))}
      {cursor !== null && preview.nextName !== undefined && (
        <text x={cursor.x + 10} y={cursor.y - 10} fill={color} className="region-label">
          {preview.nextName}
        </text>
      )}
    </g>
  );
}
