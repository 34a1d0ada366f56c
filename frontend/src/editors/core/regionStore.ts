import { History, type RecordDiff } from "./history";
import type { Region } from "./regions";

export interface RegionSnapshot {
  regions: readonly Region[];
  selectedIds: readonly string[];
  /** Grows on every change of the regions except `load`, so savers know what is new. */
  editRevision: number;
  canUndo: boolean;
  canRedo: boolean;
}

/**
 * The open annotation's regions by id, the selection, and their undo history.
 * `put` and `remove` add to the pending history step; `commit` closes it, so a drag
 * with many moves undoes in one step. `load` replaces everything without history.
 */
export class RegionStore {
  private records = new Map<string, Region>();
  private selectedIds: string[] = [];
  private editRevision = 0;
  private readonly history = new History<Region>();
  private readonly listeners = new Set<() => void>();
  private snapshot: RegionSnapshot = this.buildSnapshot();

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): RegionSnapshot => this.snapshot;

  get(id: string): Region | undefined {
    return this.records.get(id);
  }

  all(): Region[] {
    return [...this.records.values()];
  }

  load(regions: readonly Region[]): void {
    this.records = new Map(regions.map((region) => [region.id, region]));
    this.selectedIds = [];
    this.history.clear();
    this.emit();
  }

  put(...regions: Region[]): void {
    const diff: RecordDiff<Region> = { before: new Map(), after: new Map() };
    for (const region of regions) {
      diff.before.set(region.id, this.records.get(region.id));
      diff.after.set(region.id, region);
    }
    this.history.record(diff);
    this.applyDiff(diff);
  }

  remove(ids: readonly string[]): void {
    const diff: RecordDiff<Region> = { before: new Map(), after: new Map() };
    for (const id of ids) {
      if (!this.records.has(id)) continue;
      diff.before.set(id, this.records.get(id));
      diff.after.set(id, undefined);
    }
    this.history.record(diff);
    this.applyDiff(diff);
  }

  /** Closes the pending changes as one undo step. */
  commit(): void {
    this.history.commit();
    this.emit();
  }

  /** Reverts the pending changes of an unfinished gesture. */
  cancel(): void {
    this.applyDiff(this.history.cancel());
  }

  undo(): void {
    const diff = this.history.undo();
    if (diff !== null) this.applyDiff(diff);
  }

  redo(): void {
    const diff = this.history.redo();
    if (diff !== null) this.applyDiff(diff);
  }

  select(ids: readonly string[]): void {
    this.selectedIds = ids.filter((id) => this.records.has(id));
    this.emit();
  }

  private applyDiff(diff: RecordDiff<Region>): void {
    for (const [id, region] of diff.after) {
      if (region === undefined) this.records.delete(id);
      else this.records.set(id, region);
    }
    this.selectedIds = this.selectedIds.filter((id) => this.records.has(id));
    this.editRevision += 1;
    this.emit();
  }

  private emit(): void {
    this.snapshot = this.buildSnapshot();
    for (const listener of this.listeners) listener();
  }

  private buildSnapshot(): RegionSnapshot {
    return {
      regions: [...this.records.values()],
      selectedIds: [...this.selectedIds],
      editRevision: this.editRevision,
      canUndo: this.history.canUndo(),
      canRedo: this.history.canRedo(),
    };
  }
}
