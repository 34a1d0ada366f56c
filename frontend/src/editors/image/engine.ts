/**
 * The image editor without React: regions, camera, active tool and label picks.
 * Components feed it pointer events in screen coordinates and read its two stores.
 */
import type { ControlSpec } from "../core/hotkeys";
import { RegionStore } from "../core/regionStore";
import { createRegion, type Region } from "../core/regions";
import {
  type Camera,
  fitCamera,
  type ScreenPoint,
  type Size,
  screenPoint,
  screenToImage,
  zoomAt,
} from "../core/viewport";
import { boxIdle } from "./tools/box/idle";
import { panIdle } from "./tools/pan/idle";
import { Panning } from "./tools/pan/panning";
import { selectIdle } from "./tools/select/idle";
import type { BoxTarget, PointerInput, ToolContext, ToolState } from "./tools/state";

export type ToolName = "box" | "select" | "pan";

const IDLE_STATES: Record<ToolName, ToolState> = { box: boxIdle, select: selectIdle, pan: panIdle };

export interface ViewSnapshot {
  camera: Camera;
  viewSize: Size;
  tool: ToolName;
  /** The current tool state's name, such as "box.drawing". */
  toolState: string;
  /** The bbox control new boxes go into, and the label picked per control. */
  activeControl: string | null;
  activeLabels: Readonly<Record<string, string>>;
}

export class ImageEditorEngine {
  readonly store = new RegionStore();
  private view: ViewSnapshot;
  private state: ToolState = boxIdle;
  private fitted = false;
  private spaceHeld = false;
  private readonly listeners = new Set<() => void>();
  private readonly context: ToolContext;

  constructor(
    readonly image: Size,
    readonly controls: readonly ControlSpec[],
  ) {
    const boxControl = controls.find((control) => control.type === "bbox");
    const activeLabels: Record<string, string> = {};
    for (const control of controls) {
      const first = control.labels?.[0];
      if (control.type === "bbox" && first !== undefined) activeLabels[control.name] = first.name;
    }
    this.view = {
      camera: { scale: 1, offsetX: 0, offsetY: 0 },
      viewSize: { width: 0, height: 0 },
      tool: boxControl === undefined ? "select" : "box",
      toolState: "",
      activeControl: boxControl?.name ?? null,
      activeLabels,
    };
    this.state = IDLE_STATES[this.view.tool];
    this.view.toolState = this.state.name;
    this.context = {
      store: this.store,
      image,
      camera: () => this.view.camera,
      setCamera: (camera) => this.update({ camera }),
      boxTarget: () => this.boxTarget(),
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

  pointerDown(screen: ScreenPoint, button: number): void {
    const input = this.input(screen, button);
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
    if (this.state === IDLE_STATES[this.view.tool]) this.store.select([]);
    else this.state.cancel?.(this.context);
  }

  setSpaceHeld(held: boolean): void {
    this.spaceHeld = held;
  }

  setTool(tool: ToolName): void {
    this.state.cancel?.(this.context);
    this.state = IDLE_STATES[tool];
    this.update({ tool, toolState: this.state.name });
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
   * Applies a label pick. For a bbox control, the label goes to new boxes and to the
   * selected boxes of that control. For a choice control, the pick toggles the choice.
   */
  pickLabel(controlName: string, label: string): void {
    const control = this.controls.find((candidate) => candidate.name === controlName);
    if (control === undefined) return;
    if (control.type === "bbox") {
      this.update({
        activeControl: controlName,
        activeLabels: { ...this.view.activeLabels, [controlName]: label },
      });
      const selected = new Set(this.store.getSnapshot().selectedIds);
      const relabelled = this.store
        .all()
        .filter((region) => selected.has(region.id) && region.control === controlName)
        .map((region) => ({ ...region, labels: [label] }));
      if (relabelled.length > 0) {
        this.store.put(...relabelled);
        this.store.commit();
      }
      return;
    }
    this.toggleChoice(control, label);
  }

  deleteSelected(): void {
    const selected = this.store.getSnapshot().selectedIds;
    if (selected.length === 0) return;
    this.store.remove(selected);
    this.store.commit();
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

  private toggleChoice(control: ControlSpec, label: string): void {
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

  private boxTarget(): BoxTarget | null {
    const control = this.view.activeControl;
    if (control === null) return null;
    const label = this.view.activeLabels[control];
    return { control, labels: label === undefined ? [] : [label] };
  }

  private input(screen: ScreenPoint, button: number): PointerInput {
    return { screen, image: screenToImage(this.view.camera, screen), button };
  }

  private update(change: Partial<ViewSnapshot>): void {
    this.view = { ...this.view, ...change };
    for (const listener of this.listeners) listener();
  }
}
