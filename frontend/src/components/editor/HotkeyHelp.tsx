import type { Hotkey } from "../../editors/core/hotkeys";

function keyLabel(key: string): string {
  if (key === "+") return key;
  return key
    .split("+")
    .map((part) =>
      part.length === 1 ? part.toUpperCase() : part[0]?.toUpperCase() + part.slice(1),
    )
    .join("+");
}

export function HotkeyHelp({
  hotkeys,
  conflicts,
  onClose,
}: {
  hotkeys: readonly Hotkey[];
  conflicts: readonly string[];
  onClose: () => void;
}) {
  return (
    <div className="dialog-backdrop">
      <dialog open className="dialog" aria-label="Keyboard shortcuts">
        <h2>Keyboard shortcuts</h2>
        <table className="hotkeys">
          <tbody>
            {hotkeys.map((hotkey) => (
              <tr key={hotkey.id}>
                <td>
                  {hotkey.keys.map((key) => (
                    <kbd key={key}>{keyLabel(key)}</kbd>
                  ))}
                </td>
                <td>{hotkey.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {conflicts.map((conflict) => (
          <p key={conflict} className="error">
            {conflict}
          </p>
        ))}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </dialog>
    </div>
  );
}
