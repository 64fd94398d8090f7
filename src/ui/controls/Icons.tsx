/**
 * Transport icons as inline SVG (the ⏮/⏭ characters render as boxes in Debian's Chromium without
 * an emoji font). 16 × 16, currentColor, hidden from assistive technology: buttons carry labels.
 */
import type { ReactNode } from "react";

function Icon({ children }: { children: ReactNode }) {
  return (
    <svg className="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

export const IconStart = () => (
  <Icon>
    <rect x="2.5" y="3" width="2" height="10" rx="0.5" fill="currentColor" />
    <path
      d="M13 3.2v9.6a.4.4 0 0 1-.62.33L5.6 8.33a.4.4 0 0 1 0-.66l6.78-4.8A.4.4 0 0 1 13 3.2z"
      fill="currentColor"
    />
  </Icon>
);

export const IconEnd = () => (
  <Icon>
    <rect x="11.5" y="3" width="2" height="10" rx="0.5" fill="currentColor" />
    <path
      d="M3 3.2v9.6a.4.4 0 0 0 .62.33l6.78-4.8a.4.4 0 0 0 0-.66L3.62 2.87A.4.4 0 0 0 3 3.2z"
      fill="currentColor"
    />
  </Icon>
);

export const IconBack = () => (
  <Icon>
    <path
      d="M10.5 3.5 6 8l4.5 4.5"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
    />
  </Icon>
);

export const IconForward = () => (
  <Icon>
    <path
      d="M5.5 3.5 10 8l-4.5 4.5"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
    />
  </Icon>
);

export const IconPlay = () => (
  <Icon>
    <path
      d="M4.5 2.6v10.8a.5.5 0 0 0 .76.43l8.6-5.4a.5.5 0 0 0 0-.86l-8.6-5.4a.5.5 0 0 0-.76.43z"
      fill="currentColor"
    />
  </Icon>
);

export const IconPause = () => (
  <Icon>
    <rect x="3.5" y="2.5" width="3" height="11" rx="0.8" fill="currentColor" />
    <rect x="9.5" y="2.5" width="3" height="11" rx="0.8" fill="currentColor" />
  </Icon>
);

export const IconKeyboard = () => (
  <Icon>
    <rect x="1" y="3.5" width="14" height="9" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.3" />
    <path
      d="M4 6.5h1M7 6.5h1M10 6.5h2M4 9.5h8"
      stroke="currentColor"
      strokeWidth="1.3"
      strokeLinecap="round"
    />
  </Icon>
);

export const IconClose = () => (
  <Icon>
    <path d="m4 4 8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
  </Icon>
);
