/**
 * The image editor without React: regions, camera, active tool and label picks.
 * Components feed it pointer events in screen coordinates and read its two stores.
 */
import { RegionStore } from "../core/regionStore";
import { createRegion, type Region } from "../core/regions";
import { attributeDefaults, attributesFor, findLabel, type SchemaControl } from "../core/schema";
import {
  type Camera,
  fitCamera,
  type ScreenPoint,
  type Size,
  screenPoint,
  screenToImage,
  zoomAt,
} from "../core/viewport";
import { masksToPolygons, polygonsToMasks } from "./tools/assist/convert";
import { grabcutIdle } from "./tools/assist/grabcut";
import { wandIdle } from "./tools/assist/wand";
import { boxIdle } from "./tools/box/idle";
import { brushIdle } from "./tools/brush/idle";
import { MaskSession } from "./tools/brush/session";
import { ellipseIdle } from "./tools/ellipse/idle";
import { eraserIdle } from "./tools/eraser/idle";
import { keypointsIdle } from "./tools/keypoints/idle";
import { panIdle } from "./tools/pan/idle";
import { Panning } from "./tools/pan/panning";
import { polygonIdle } from "./tools/polygon/idle";
import { polylineIdle } from "./tools/polyline/idle";
import { selectIdle } from "./tools/select/idle";
import type {
  DrawingPreview,
  DrawTarget,
  PointerInput,
  ToolContext,
  ToolState,
  VertexRef,
} from "./tools/state";
import { deletePickedVertex } from "./tools/vertex/commands";

export type ToolName =
  | "box"
  | "select"
  | "pan"
  | "polygon"
  | "polyline"
  | "keypoints"
  | "ellipse"
  | MaskToolName;

/** The tools of mask controls: the brush draws, the others edit or assist. */
export type MaskToolName = "brush" | "eraser" | "grabcut" | "wand";

const IDLE_STATES: Record<ToolName, ToolState> = {
  box: boxIdle,
  select: selectIdle,
  pan: panIdle,
  polygon: polygonIdle,
  polyline: polylineIdle,
  keypoints: keypointsIdle,
  ellipse: ellipseIdle,
  brush: brushIdle,
  eraser: eraserIdle,
  grabcut: grabcutIdle,
  wand: wandIdle,
};

/** The drawing tool of each control type that has one. */
export const TOOL_OF_TYPE: Readonly<Partial<Record<string, ToolName>>> = {
  bbox: "box",
  polygon: "polygon",
  polyline: "polyline",
  keypoints: "keypoints",
  ellipse: "ellipse",
  mask: "brush",
};

/** Modifier keys held during a pointer press. */
export interface PointerModifiers {
  altKey: boolean;
  shiftKey: boolean;
}

export interface ViewSnapshot {
  camera: Camera;
  viewSize: Size;
  tool: ToolName;
  /** The current tool state's name, such as "box.drawing". */
  toolState: string;
  /** The control new shapes go into, and the label picked per control. */
  activeControl: string | null;
  activeLabels: Readonly<Record<string, string>>;
  /** The unfinished shape of the polygon, polyline or keypoints tool. */
  preview: DrawingPreview | null;
  /** The point picked on a selected region, for Delete and the keypoint visibility key. */
  selectedVertex: VertexRef | null;
}

export class ImageEditorEngine {
  readonly store = new RegionStore();
  readonly masks = new MaskSession();
  private view: ViewSnapshot;
  private state: ToolState = boxIdle;
  private fitted = false;
  private spaceHeld = false;
  private readonly listeners = new Set<() => void>();
  private readonly context: ToolContext;

  constructor(
    readonly image: Size,
    readonly controls: readonly SchemaControl[],
  ) {
    const drawable = controls.filter((control) => TOOL_OF_TYPE[control.type] !== undefined);
    const startControl = drawable.find((control) => control.type === "bbox") ?? drawable[0];
    const activeLabels: Record<string, string> = {};
    for (const control of drawable) {
      const first = control.labels?.[0];
      if (first !== undefined) activeLabels[control.name] = first.name;
    }
    this.view = {
      camera: { scale: 1, offsetX: 0, offsetY: 0 },
      viewSize: { width: 0, height: 0 },
      tool: (startControl && TOOL_OF_TYPE[startControl.type]) ?? "select",
      toolState: "",
      activeControl: startControl?.name ?? null,
      activeLabels,
      preview: null,
      selectedVertex: null,
    };
    this.state = IDLE_STATES[this.view.tool];
    this.view.toolState = this.state.name;
    this.context = {
      store: this.store,
      image,
      camera: () => this.view.camera,
      setCamera: (camera) => this.update({ camera }),
      boxTarget: () => this.drawTarget("bbox"),
      drawTarget: (type) => this.drawTarget(type),
      setPreview: (preview) => this.update({ preview }),
      selectedVertex: () => this.view.selectedVertex,
      selectVertex: (selectedVertex) => this.update({ selectedVertex }),
      masks: this.masks,
      transition: (next) => {
        this.state = next;
        this.update({ toolState: next.name });
      },
    };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getView = (): ViewSnapshot => this.view;

  pointerDown(screen: ScreenPoint, button: number, modifiers?: PointerModifiers): void {
    const input = { ...this.input(screen, button), ...modifiers };
    if (button === 1 || (button === 0 && this.spaceHeld)) {
      this.context.transition(new Panning(input, IDLE_STATES[this.view.tool]));
      return;
    }
    this.state.pointerDown?.(this.context, input);
  }

  pointerMove(screen: ScreenPoint): void {
    this.state.pointerMove?.(this.context, this.input(screen, 0));
  }

  pointerUp(screen: ScreenPoint, button: number): void {
    this.state.pointerUp?.(this.context, this.input(screen, button));
  }

  /** Cancels a gesture in progress; with none, clears the selection. */
  cancel(): void {
    if (this.state === IDLE_STATES[this.view.tool]) {
      this.store.select([]);
      this.update({ selectedVertex: null });
    } else {
      this.state.cancel?.(this.context);
    }
  }

  /** Finishes the polygon, polyline or keypoints being drawn (Enter). */
  finish(): void {
    this.state.finish?.(this.context);
  }

  /** Returns the drawing tools of the schema's control types, in control order, without repeats. */
  drawingTools(): ToolName[] {
    const tools = this.controls.map((control) => TOOL_OF_TYPE[control.type]);
    return [...new Set(tools.filter((tool) => tool !== undefined))];
  }

  setSpaceHeld(held: boolean): void {
    this.spaceHeld = held;
  }

  /** Switches tools; a drawing tool also picks a control of its type unless the active one fits. */
  setTool(tool: ToolName): void {
    this.state.cancel?.(this.context);
    this.state = IDLE_STATES[tool];
    const active = this.controls.find((control) => control.name === this.view.activeControl);
    const fits = active !== undefined && TOOL_OF_TYPE[active.type] === tool;
    const control = this.controls.find((candidate) => TOOL_OF_TYPE[candidate.type] === tool);
    const activeControl = fits || control === undefined ? this.view.activeControl : control.name;
    this.update({ tool, toolState: this.state.name, activeControl });
  }

  setViewSize(viewSize: Size): void {
    this.update({ viewSize });
    if (!this.fitted && viewSize.width > 0 && viewSize.height > 0) this.fit();
  }

  fit(): void {
    this.fitted = true;
    this.update({ camera: fitCamera(this.image, this.view.viewSize) });
  }

  /** Zooms about `anchor`, or about the view's centre when it is left out. */
  zoomBy(factor: number, anchor?: ScreenPoint): void {
    const { width, height } = this.view.viewSize;
    const at = anchor ?? screenPoint(width / 2, height / 2);
    this.update({ camera: zoomAt(this.view.camera, at, factor) });
  }

  /**
   * Applies a label pick. For a control with a drawing tool, the label goes to new shapes
   * and to the selected regions of that control, and a drawing tool of another type
   * switches to this control's tool. For a choice control, the pick toggles the choice.
   */
  pickLabel(controlName: string, label: string): void {
    const control = this.controls.find((candidate) => candidate.name === controlName);
    if (control === undefined) return;
    const tool = TOOL_OF_TYPE[control.type];
    if (tool !== undefined) {
      const drawing = this.drawingTools().includes(this.view.tool);
      if (drawing && this.view.tool !== tool) this.setTool(tool);
      this.update({
        activeControl: controlName,
        activeLabels: { ...this.view.activeLabels, [controlName]: label },
      });
      const selected = new Set(this.store.getSnapshot().selectedIds);
      const relabelled = this.store
        .all()
        .filter(
          (region) => selected.has(region.id) && region.control === controlName && !region.locked,
        )
        .map((region) => ({ ...region, labels: [label] }));
      if (relabelled.length > 0) {
        this.store.put(...relabelled);
        this.store.commit();
      }
      return;
    }
    this.toggleChoice(control, label);
  }

  /** Deletes the picked point when there is one, otherwise the selected regions that are not locked. */
  deleteSelected(): void {
    const selected = this.store.getSnapshot().selectedIds;
    const vertex = this.view.selectedVertex;
    if (vertex !== null && selected.includes(vertex.regionId)) {
      deletePickedVertex(this.store, vertex);
      this.update({ selectedVertex: null });
      return;
    }
    const unlocked = selected.filter((id) => this.store.get(id)?.locked !== true);
    if (unlocked.length === 0) return;
    this.store.remove(unlocked);
    this.store.commit();
  }

  /** Replaces the selected masks by polygons, or the selected polygons by masks, via the server. */
  convertSelected(to: "polygon" | "mask"): Promise<void> {
    if (to === "polygon") return masksToPolygons(this.context, this.controls);
    return polygonsToMasks(this.context, this.controls);
  }

  /** Copies suggested regions into the annotation as one undoable step. */
  acceptSuggestions(suggestions: readonly Region[]): void {
    const copies = suggestions.map((region) => ({
      ...createRegion(region.control, region.shape, [...region.labels]),
      attributes: { ...region.attributes },
    }));
    if (copies.length === 0) return;
    this.store.put(...copies);
    this.store.commit();
  }

  private toggleChoice(control: SchemaControl, label: string): void {
    const existing = this.store.all().find((region) => region.control === control.name);
    const current = existing?.labels ?? [];
    let labels: string[];
    if (control.multiple) {
      labels = current.includes(label)
        ? current.filter((name) => name !== label)
        : [...current, label];
    } else {
      labels = current.length === 1 && current[0] === label ? [] : [label];
    }

    if (labels.length === 0 && existing !== undefined) this.store.remove([existing.id]);
    else if (existing !== undefined) this.store.put({ ...existing, labels });
    else this.store.put(createRegion(control.name, { type: "choice" }, labels));
    this.store.commit();
  }

  /** Returns where a new shape of `type` goes: the active control if it has that type, else the first that has. */
  private drawTarget(type: string): DrawTarget | null {
    const active = this.controls.find((control) => control.name === this.view.activeControl);
    const control =
      active?.type === type ? active : this.controls.find((candidate) => candidate.type === type);
    if (control === undefined) return null;
    const label = findLabel(control, this.view.activeLabels[control.name]);
    const labels = label === undefined ? [] : [label.name];
    return {
      control: control.name,
      labels,
      attributes: attributeDefaults(attributesFor(control, labels)),
      keypoints: label?.keypoints ?? [],
    };
  }

  private input(screen: ScreenPoint, button: number): PointerInput {
    return { screen, image: screenToImage(this.view.camera, screen), button };
  }

  private update(change: Partial<ViewSnapshot>): void {
    this.view = { ...this.view, ...change };
    for (const listener of this.listeners) listener();
  }
}
