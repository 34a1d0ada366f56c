/**
 * Undo and redo as diffs of records keyed by id. A diff keeps each touched record
 * before and after the change (`undefined` for absent), so undoing a step restores
 * only what that step touched.
 */

export interface RecordDiff<T> {
  before: Map<string, T | undefined>;
  after: Map<string, T | undefined>;
}

export function emptyDiff<T>(): RecordDiff<T> {
  return { before: new Map(), after: new Map() };
}

export function isEmptyDiff<T>(diff: RecordDiff<T>): boolean {
  for (const [id, after] of diff.after) {
    if (diff.before.get(id) !== after) return false;
  }
  return true;
}

/** Combines two consecutive diffs: the earliest `before` and the latest `after` win. */
export function mergeDiffs<T>(first: RecordDiff<T>, second: RecordDiff<T>): RecordDiff<T> {
  const merged: RecordDiff<T> = { before: new Map(first.before), after: new Map(first.after) };
  for (const [id, before] of second.before) {
    if (!merged.before.has(id)) merged.before.set(id, before);
  }
  for (const [id, after] of second.after) merged.after.set(id, after);
  return merged;
}

export function invertDiff<T>(diff: RecordDiff<T>): RecordDiff<T> {
  return { before: new Map(diff.after), after: new Map(diff.before) };
}

export const DEFAULT_HISTORY_LIMIT = 200;

/**
 * Stacks of committed steps plus one pending step. Changes of a gesture go into the
 * pending step, `commit` closes it as one undo step and `cancel` returns the diff
 * that reverts it.
 */
export class History<T> {
  private undoStack: RecordDiff<T>[] = [];
  private redoStack: RecordDiff<T>[] = [];
  private pending: RecordDiff<T> = emptyDiff();

  constructor(private readonly limit = DEFAULT_HISTORY_LIMIT) {}

  record(diff: RecordDiff<T>): void {
    this.pending = mergeDiffs(this.pending, diff);
  }

  commit(): void {
    if (isEmptyDiff(this.pending)) {
      this.pending = emptyDiff();
      return;
    }
    this.undoStack.push(this.pending);
    if (this.undoStack.length > this.limit) this.undoStack.shift();
    this.redoStack = [];
    this.pending = emptyDiff();
  }

  /** Drops the pending step and returns the diff that puts the records back. */
  cancel(): RecordDiff<T> {
    const revert = invertDiff(this.pending);
    this.pending = emptyDiff();
    return revert;
  }

  /** Returns the diff to apply for one undo step, or null when there is none. */
  undo(): RecordDiff<T> | null {
    this.commit();
    const step = this.undoStack.pop();
    if (step === undefined) return null;
    this.redoStack.push(step);
    return invertDiff(step);
  }

  redo(): RecordDiff<T> | null {
    this.commit();
    const step = this.redoStack.pop();
    if (step === undefined) return null;
    this.undoStack.push(step);
    return step;
  }

  canUndo(): boolean {
    return this.undoStack.length > 0 || !isEmptyDiff(this.pending);
  }

  canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  clear(): void {
    this.undoStack = [];
    this.redoStack = [];
    this.pending = emptyDiff();
  }
}
