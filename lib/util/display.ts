/**
 * Rich output in a tslab notebook. tslab's public `display` sends one MIME type per output;
 * figures need several (an interactive one and static fallbacks), so the kernel's
 * display function is used directly. Outside a notebook, the text/plain part is printed.
 */
import { randomBytes } from 'node:crypto';
import { refuseInStoppedCell } from './stopped-cell';

/** MIME type → content (text, or base64 for binary types such as image/png). */
export type MimeBundle = Record<string, unknown>;

type WriteDisplayData = (
  message: { data: MimeBundle; metadata: Record<string, unknown>; transient: { display_id?: string } },
  update: boolean,
) => void;

function kernelWriter(): WriteDisplayData | undefined {
  try {
    // Present only inside a tslab kernel: a missing module means "not in a notebook".
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('tslab/dist/jupyter').lastWriteDisplayData ?? undefined;
  } catch {
    return undefined;
  }
}

/** True while running inside a tslab kernel. */
export function inNotebook(): boolean {
  return kernelWriter() !== undefined;
}

/** Shows a bundle as a new output of the running cell. */
export function displayBundle(bundle: MimeBundle): void {
  refuseInStoppedCell("l'affichage");
  const write = kernelWriter();
  if (write) write({ data: bundle, metadata: {}, transient: {} }, false);
  else if (typeof bundle['text/plain'] === 'string') console.log(bundle['text/plain']);
}

/** An output that is replaced in place at each `show` (progress of a long computation). */
export class LiveDisplay {
  private readonly id = randomBytes(8).toString('hex');
  private shown = false;

  show(bundle: MimeBundle): void {
    const write = kernelWriter();
    if (!write) return;
    write({ data: bundle, metadata: {}, transient: { display_id: this.id } }, this.shown);
    this.shown = true;
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
