/**
 * An error boundary around each panel: a view that throws while rendering shows a one-line error
 * with a retry instead of taking the whole page down (React unmounts the tree on an uncaught
 * render error). `resetKey` (the run id) clears the error when another run loads.
 */
import { Component, type ErrorInfo, type ReactNode } from "react";

interface Props {
  readonly name: string;
  readonly resetKey: unknown;
  readonly children: ReactNode;
}

interface State {
  readonly error: Error | null;
  readonly key: unknown;
}

export class ViewBoundary extends Component<Props, State> {
  override state: State = { error: null, key: this.props.resetKey };

  static getDerivedStateFromError(error: Error): Partial<State> {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`the ${this.props.name} view failed:`, error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <div className="view-error" role="alert">
        <p>
          The {this.props.name} view failed:{" "}
          <code>{String(this.state.error.message || this.state.error)}</code>
        </p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
