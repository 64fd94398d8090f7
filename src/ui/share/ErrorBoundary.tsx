/**
 * The last line of "never a blank page": if a view throws while drawing (whatever the link asked
 * for), say so in plain text and offer a way on, instead of React unmounting the whole page.
 */
import { Component, type ReactNode } from "react";

interface Props {
  readonly children: ReactNode;
  /** Loads something known to work (the default scenario). */
  readonly onRecover: () => void;
}

export class ErrorBoundary extends Component<Props, { error: string | null }> {
  override state = { error: null as string | null };

  static getDerivedStateFromError(e: unknown): { error: string } {
    return { error: e instanceof Error ? e.message : String(e) };
  }

  override render(): ReactNode {
    if (this.state.error === null) return this.props.children;
    return (
      <div className="app" data-status="error">
        <div className="banner banner-error" role="alert" data-testid="view-crash">
          <strong>A view failed to draw this step.</strong>
          <p className="zl-pre">{this.state.error}</p>
          <div className="zl-row">
            <button type="button" onClick={() => this.setState({ error: null })}>
              Try again
            </button>
            <button
              type="button"
              onClick={() => {
                this.props.onRecover();
                this.setState({ error: null });
              }}
            >
              Show the default scenario
            </button>
          </div>
        </div>
      </div>
    );
  }
}
