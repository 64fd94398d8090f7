/**
 * The ledger panel's copy text: the same transcript the CLI prints with `run --ledger`
 * (scenario/ledger-text.ts), for the ledger the worker sends with every view (ViewState.ledger).
 */
export { ledgerText } from "../scenario/ledger-text.ts";
