// Figures are written as the CLI writes them, by the CLI's own functions.
export {
  formatLatency,
  formatMicros,
  formatRps,
  formatSuccess,
  formatWindow,
  NONE,
} from '../../../cli/src/output/table.ts';

/** The CLI's JSON has null where nothing answered; its formatters take undefined. */
export const orUndefined = (n: number | null | undefined): number | undefined => (n === null ? undefined : n);
