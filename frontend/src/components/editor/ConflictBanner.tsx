import type { Annotation } from "../../api/types";

interface Props {
  conflict: Annotation;
  onResolve: (choice: "theirs" | "mine") => void;
}

/** Shown after a 409: the annotation changed on the server since this editor loaded it. */
export function ConflictBanner({ conflict, onResolve }: Props) {
  const when = new Date(conflict.updated_at).toLocaleString();
  return (
    <div className="banner conflict" role="alert">
      This annotation was saved elsewhere (version {conflict.version}, {when}), for example in
      another tab. Your changes are not saved yet.
      <button type="button" onClick={() => onResolve("theirs")}>
        Reload theirs
      </button>
      <button type="button" onClick={() => onResolve("mine")}>
        Keep mine
      </button>
    </div>
  );
}
