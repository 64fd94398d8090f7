/** Entry point: create the store (reading the URL once), start the worker, render. */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createAppStore } from "../state/store.ts";
import { readUrlState } from "../state/url.ts";
import { engine } from "../worker/client.ts";
import { App } from "./App.tsx";
import { StoreProvider } from "./store-context.tsx";
import "./styles.css";

const store = createAppStore(engine(), readUrlState(window.location.hash));
void store.getState().init();

const root = document.getElementById("root");
if (!root) throw new Error("no #root element");
createRoot(root).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
