/** The assist API of one item, as the editor's `MaskAssistant`. */
import { request } from "../../../../api/http";
import type { Rle } from "../../../core/geometry/rle";
import type { ImageBox, MaskAssistant, MaskResult, PolygonRings } from "../brush/session";

export function itemAssistant(itemId: number): MaskAssistant {
  const base = `/items/${itemId}/assist`;
  return {
    grabcut: (box: ImageBox) => request<MaskResult>("POST", `${base}/grabcut`, { json: { box } }),
    superpixel: (x: number, y: number) =>
      request<MaskResult>("POST", `${base}/superpixel`, { json: { x, y } }),
    maskToPolygons: (rle: Rle, tolerance: number) =>
      request<{ polygons: PolygonRings[] }>("POST", `${base}/mask-to-polygon`, {
        json: { rle, tolerance },
      }),
    polygonToMask: (rings: PolygonRings) =>
      request<MaskResult>("POST", `${base}/polygon-to-mask`, { json: rings }),
  };
}
