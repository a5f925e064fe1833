import { shortTxid } from './format.js';

/** Where the scenarios tell their story. The demo prints it; the tests stay silent. */
export interface Reporter {
  /** A section heading. */
  heading(title: string): void;
  /** One step of the story. */
  step(text: string): void;
  /** A progress line (`[12/25] …`), overwritten in place on a terminal. */
  progress(done: number, total: number, text: string): void;
  /** A transaction a party broadcast while the chain tip was at `tip`. */
  transaction(who: string, label: string, txid: string, tip: number, detail?: string): void;
}

/** A reporter that prints nothing. */
export const silentReporter: Reporter = {
  heading: () => {},
  step: () => {},
  progress: () => {},
  transaction: () => {},
};

/** Prints to a stream; progress lines overwrite each other when it is a terminal. */
export function consoleReporter(out: NodeJS.WriteStream = process.stdout): Reporter {
  let progressOpen = false;
  const closeProgress = () => {
    if (progressOpen) out.write('\n');
    progressOpen = false;
  };
  const line = (text: string) => {
    closeProgress();
    out.write(`${text}\n`);
  };
  return {
    heading: (title) => line(`\n== ${title} ==`),
    step: (text) => line(`  ${text}`),
    progress: (done, total, text) => {
      const label = `  [${String(done).padStart(String(total).length)}/${total}] ${text}`;
      if (out.isTTY) {
        out.write(`\r${label}\u001b[K`);
        progressOpen = done < total;
        if (!progressOpen) out.write('\n');
      } else if (done === 1 || done % 5 === 0 || done === total) {
        // Off a terminal, a sample of the progress keeps logs short.
        out.write(`${label}\n`);
      }
    },
    transaction: (who, label, txid, tip, detail) =>
      line(
        `  ${who.padEnd(5)} broadcasts ${label.padEnd(7)} ${shortTxid(txid)} at tip ${tip}${detail ? `  ${detail}` : ''}`,
      ),
  };
}
