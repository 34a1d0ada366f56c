import { useEffect, useState } from "react";
import type { Size } from "../editors/core/viewport";

/**
 * Returns the image's size in pixels: `width` and `height` when the server stored them,
 * otherwise the natural size once the browser has loaded `src`.
 */
export function useImageSize(
  src: string | null,
  known: Size | null,
): { size: Size | null; error: boolean } {
  const [loaded, setLoaded] = useState<Size | null>(null);
  const [error, setError] = useState(false);
  const needsProbe = src !== null && known === null;

  useEffect(() => {
    if (!needsProbe || src === null) return;
    const image = new Image();
    image.onload = () => setLoaded({ width: image.naturalWidth, height: image.naturalHeight });
    image.onerror = () => setError(true);
    image.src = src;
    return () => {
      image.onload = null;
      image.onerror = null;
    };
  }, [src, needsProbe]);

  return { size: known ?? loaded, error };
}
