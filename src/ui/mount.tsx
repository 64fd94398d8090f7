/**
 * Renders the app into `root` with its providers. Loaded by main.tsx as its own chunk, after the
 * store and the worker are already running.
 */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import type { BeforeAfterStore } from "../state/before-after.ts";
import type { CompareStore } from "../state/compare.ts";
import type { LinkSync } from "../state/link-sync.ts";
import type { RestartableEngine } from "../state/restartable-engine.ts";
import type { AppStore } from "../state/store.ts";
import type { Study } from "../state/study.ts";
import { App } from "./App.tsx";
import { CompareProvider } from "./compare/context.tsx";
import { HandoutHost } from "./handout/Handout.tsx";
import { BeforeAfterProvider } from "./lecture/context.tsx";
import { UpdatePrompt } from "./offline/UpdatePrompt.tsx";
import { ShareProvider } from "./share/context.tsx";
import { EmbedSwitch } from "./share/EmbedSwitch.tsx";
import { StoreProvider } from "./store-context.tsx";
import { StudyProvider } from "./study/context.tsx";
import { installMapColours } from "./views/memory-map/colours.ts";
import "./styles.css";

export interface MountHandles {
  readonly store: AppStore;
  readonly compare: CompareStore;
  readonly sync: LinkSync;
  readonly engine: RestartableEngine;
  readonly beforeAfter: BeforeAfterStore;
  /** Exercises and sweeps. */
  readonly study?: Study;
}

export function mount(root: HTMLElement, h: MountHandles): void {
  installMapColours();
  createRoot(root).render(
    <StrictMode>
      <StoreProvider store={h.store}>
        <CompareProvider store={h.compare}>
          <BeforeAfterProvider store={h.beforeAfter}>
            <ShareProvider sync={h.sync} engine={h.engine}>
              <StudyProvider study={h.study ?? null}>
                <EmbedSwitch full={<App />} />
                <HandoutHost />
                <UpdatePrompt />
              </StudyProvider>
            </ShareProvider>
          </BeforeAfterProvider>
        </CompareProvider>
      </StoreProvider>
    </StrictMode>,
  );
}
