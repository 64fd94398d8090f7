/**
 * The prompt when a new version has been deployed (register.ts): reload onto it, or later. The new
 * version never takes over by itself, so a run on screen keeps the engine that computed it. That
 * the app works offline is said quietly in the Share dialog (OfflineStatus), not in a toast over
 * the maps.
 */
import { useStore } from "zustand";
import { offline } from "./register.ts";
import "./offline.css";

export function UpdatePrompt() {
  const needRefresh = useStore(offline, (s) => s.needRefresh);
  if (needRefresh)
    return (
      <div className="zl-sw-toast" role="alert" data-testid="update-prompt">
        <p>
          <strong>A new version of Zeropage Lab is available.</strong> This page keeps the version it opened
          with until you reload. A new version may model the kernel differently: a link opened after the
          reload re-runs its scenario and says if its result changed.
        </p>
        <div className="zl-sw-actions">
          <button type="button" onClick={() => void offline.getState().update()}>
            Reload with the new version
          </button>
          <button type="button" onClick={() => offline.getState().dismiss()}>
            Later
          </button>
        </div>
      </div>
    );
  return null;
}

/** One line for the Share dialog: whether this browser can open the app without a network. */
export function OfflineStatus() {
  const ready = useStore(offline, (s) => s.offlineReady || s.controlled);
  const error = useStore(offline, (s) => s.error);
  return (
    <p
      className="muted"
      data-testid="offline-status"
      data-offline={ready ? "ready" : error ? "error" : "pending"}
    >
      {ready
        ? "Offline: this browser has Zeropage Lab saved, and opens it and its links without a network."
        : error
          ? `Offline use is not available here: ${error}`
          : "Offline use: not set up in this browser (yet). It needs a page served over https or from localhost."}
    </p>
  );
}
