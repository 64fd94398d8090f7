/**
 * Sharing: copy a link to the scenario or to this exact step, and get embed code. Links are built
 * from the app's state by the link sync (src/state/link-sync.ts, linkStateOf in link-state.ts) and always carry the current run's
 * self-check.
 */
import { useId, useState } from "react";
import { isOrigin, type LinkEmbed, MAX_EMBED_ORIGINS } from "../../permalink/index.ts";
import { OfflineStatus } from "../offline/UpdatePrompt.tsx";
import { useApp } from "../store-context.tsx";
import { copyText } from "./clipboard.ts";
import { useLinkSync, useLinks } from "./context.tsx";

export function ShareMenu() {
  const sync = useLinkSync();
  // Re-render when anything a link carries changes.
  useApp((s) => s.position);
  useApp((s) => s.granularity);
  useApp((s) => s.selection);
  useApp((s) => s.selectedPage);
  // The view's part of the link (open section, zoom, balloon highlight, compare) lives there.
  useLinks((s) => s);
  const status = useApp((s) => s.status);
  const [copied, setCopied] = useState<string | null>(null);
  const [embed, setEmbed] = useState<LinkEmbed>({ hideEditor: false, autoplay: false });
  const [originText, setOriginText] = useState("");
  const ids = { link: useId(), step: useId(), embed: useId(), origin: useId(), originHelp: useId() };
  // The host pages that may drive the embed (origin=): as typed, each checked; bad ones left out.
  const typed = originText
    .split(/[\s,]+/)
    .map((o) => o.trim().replace(/\/+$/, ""))
    .filter((o) => o !== "");
  const origins = [...new Set(typed.filter(isOrigin))].slice(0, MAX_EMBED_ORIGINS);
  const badOrigins = typed.filter((o) => !isOrigin(o));
  if (!sync) return <p className="muted">Links are not available on this page.</p>;
  const scenarioLink = sync.linkTo({ step: false, embed: null });
  const stepLink = sync.linkTo({ step: true, embed: null });
  const embedLink = sync.linkTo({ step: true, embed: origins.length > 0 ? { ...embed, origins } : embed });
  const iframe = `<iframe src="${embedLink.replace(/"/g, "&quot;")}" width="960" height="640" title="Zeropage Lab" loading="lazy"></iframe>`;

  const copy = async (what: string, text: string, inputId: string) => {
    if (await copyText(text)) setCopied(what);
    else {
      const el = document.getElementById(inputId) as HTMLInputElement | HTMLTextAreaElement | null;
      el?.focus();
      el?.select();
      setCopied(`${what}: press Ctrl+C (⌘C) to copy the selected text`);
    }
  };

  return (
    <div className="zl-share" data-testid="share-menu">
      {status !== "ready" && (
        <p className="muted">The run is still computing: links carry no self-check yet.</p>
      )}
      <section>
        <h3>Link to this scenario</h3>
        <div className="zl-row">
          <input
            id={ids.link}
            className="zl-link-text"
            readOnly
            value={scenarioLink}
            aria-label="Link to this scenario"
          />
          <button type="button" onClick={() => void copy("Link copied", scenarioLink, ids.link)}>
            Copy link
          </button>
        </div>
        <p className="muted">Opens at the end of the run, under the same kernel.</p>
      </section>
      <section>
        <h3>Link to this exact step</h3>
        <div className="zl-row">
          <input
            id={ids.step}
            className="zl-link-text"
            readOnly
            value={stepLink}
            aria-label="Link to this exact step"
            data-testid="step-link-text"
          />
          <button type="button" onClick={() => void copy("Step link copied", stepLink, ids.step)}>
            Copy step link
          </button>
        </div>
        <p className="muted">
          Same step, granularity and selection, and the same view: the open section, the zoom and the balloon
          highlight. <a href={stepLink}>This exact step</a>
        </p>
      </section>
      <section>
        <h3>Embed</h3>
        <div className="zl-row">
          <label>
            <input
              type="checkbox"
              checked={embed.hideEditor}
              onChange={(e) => setEmbed({ ...embed, hideEditor: e.target.checked })}
            />{" "}
            hide the editor
          </label>
          <label>
            <input
              type="checkbox"
              checked={embed.autoplay}
              onChange={(e) => setEmbed({ ...embed, autoplay: e.target.checked })}
            />{" "}
            autoplay
          </label>
        </div>
        <label htmlFor={ids.origin}>Slide deck that may drive it (origin)</label>
        <input
          id={ids.origin}
          className="zl-link-text"
          value={originText}
          onChange={(e) => setOriginText(e.target.value)}
          placeholder="https://slides.example.edu"
          aria-describedby={ids.originHelp}
          data-testid="embed-origin"
        />
        <p id={ids.originHelp} className={badOrigins.length > 0 ? "zl-differs" : "muted"}>
          {badOrigins.length > 0
            ? `Not an origin, left out: ${badOrigins.join(", ")}. Write scheme and host (and a port other than 80 or 443), no path: https://slides.example.edu`
            : "The pages at these origins (comma-separated) may step, play, pause and switch the kernel of the embed with postMessage (docs/embed-api.md); no other page can."}
        </p>
        <textarea
          id={ids.embed}
          className="zl-embed-code"
          readOnly
          rows={3}
          value={iframe}
          aria-label="Embed code"
        />
        <div className="zl-row">
          <button type="button" onClick={() => void copy("Embed code copied", iframe, ids.embed)}>
            Copy embed code
          </button>
          <a href={embedLink} target="_blank" rel="noopener noreferrer">
            Preview the embed
          </a>
        </div>
      </section>
      <section>
        <h3>Offline</h3>
        <OfflineStatus />
      </section>
      <output className="zl-copied" aria-live="polite">
        {copied}
      </output>
    </div>
  );
}
