/**
 * The header's buttons for this room: the preset gallery, the scenario editor, sharing and
 * export, each in its own dialog. One component, so the header only has to place it.
 */
import { useState } from "react";
import { ScenarioEditor } from "../editor/ScenarioEditor.tsx";
import { ExportMenu } from "../export/ExportMenu.tsx";
import { Gallery } from "../gallery/Gallery.tsx";
import { Dialog } from "./Dialog.tsx";
import { ShareMenu } from "./ShareMenu.tsx";
import "./share.css";

type Panel = "gallery" | "editor" | "share" | "export" | null;

export function ShareToolbar() {
  const [open, setOpen] = useState<Panel>(null);
  const close = () => setOpen(null);
  const button = (panel: Exclude<Panel, null>, label: string) => (
    <button
      type="button"
      onClick={() => setOpen(panel)}
      aria-haspopup="dialog"
      aria-expanded={open === panel}
    >
      {label}
    </button>
  );
  return (
    <div className="zl-toolbar">
      {button("gallery", "Presets")}
      {button("editor", "Edit")}
      {button("share", "Share")}
      {button("export", "Export")}
      <Dialog open={open === "gallery"} onClose={close} title="Preset gallery">
        <Gallery onOpen={close} />
      </Dialog>
      <Dialog open={open === "editor"} onClose={close} title="Scenario editor">
        <ScenarioEditor />
      </Dialog>
      <Dialog open={open === "share"} onClose={close} title="Share">
        <ShareMenu />
      </Dialog>
      <Dialog open={open === "export"} onClose={close} title="Export and import">
        <ExportMenu onImported={close} onClose={close} />
      </Dialog>
    </div>
  );
}
