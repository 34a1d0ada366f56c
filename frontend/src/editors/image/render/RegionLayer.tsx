import { HANDLES, handlePoint } from "../../core/geometry/box";
import { type BoxRegion, isBoxRegion, type Region } from "../../core/regions";
import { type Camera, imagePoint, imageToScreen } from "../../core/viewport";

const HANDLE_SIZE = 8;

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

/** Draws the annotation's boxes in screen space, with handles on the selected ones. */
export function RegionLayer({ camera, regions, selectedIds, colorOf }: Props) {
  const selected = new Set(selectedIds);
  return (
    <g>
      {regions.filter(isBoxRegion).map((region) => {
        const rect = screenRect(camera, region);
        const color = colorOf(region);
        const isSelected = selected.has(region.id);
        return (
          <g
            key={region.id}
            data-testid="region-bbox"
            data-region-id={region.id}
            data-selected={isSelected || undefined}
          >
            <rect
              {...rect}
              stroke={color}
              strokeWidth={isSelected ? 3 : 2}
              fill={color}
              fillOpacity={0.12}
            />
            <text x={rect.x + 2} y={rect.y - 4} fill={color} className="region-label">
              {region.labels.join(", ") || "(no label)"}
            </text>
            {isSelected &&
              HANDLES.map((handle) => {
                const at = imageToScreen(camera, handlePoint(region.shape, handle));
                return (
                  <rect
                    key={handle}
                    className="handle"
                    x={at.x - HANDLE_SIZE / 2}
                    y={at.y - HANDLE_SIZE / 2}
                    width={HANDLE_SIZE}
                    height={HANDLE_SIZE}
                    stroke={color}
                  />
                );
              })}
          </g>
        );
      })}
    </g>
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
