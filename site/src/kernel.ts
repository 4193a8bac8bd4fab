import type { KernelMessage } from '@jupyterlab/services';
import type { IMimeBundle } from '@jupyterlab/nbformat';
import { URLExt } from '@jupyterlab/coreutils';
import { BaseKernel, type IKernel } from '@jupyterlite/services';
import type { FromWorker, ToWorker, WorkerDisplay } from './protocol';

/**
 * The TypeScript kernel of the static site: JupyterLite's side of it, in the page. The cells run in
 * a web worker (../worker/worker.ts), so that a long training never freezes the page; this class
 * hands each cell to it and turns what it sends back into Jupyter messages, as tslab's kernel does.
 *
 * The stop button (■) reaches the worker as a message, which stops a training at its next pause
 * (ten times a second). Code that never pauses (a loop without end) cannot read that message: if the
 * worker has not finished the cell after RESTART_AFTER_SECONDS, it is replaced by a new one, and the
 * cell says in French that the variables are lost.
 */

const RESTART_AFTER_SECONDS = 10;
const STOPPED = 'Cellule arrêtée (■).';
const RESTARTED =
  'Cellule arrêtée (■) : le calcul ne rendait pas la main, le noyau a donc été redémarré et ses variables sont perdues. ' +
  'Exécutez de nouveau les cellules depuis le début du carnet.';

export interface TypeScriptKernelOptions extends IKernel.IOptions {
  /** The site's root address: the worker's script and files are in its tp5/ folder. */
  siteUrl: string;
}

/** One cell while it runs in the worker: what to do with its messages, its end, and ■ pressed. */
interface RunningCell {
  onMessage: (message: FromWorker) => void;
  done: Promise<boolean>;
  stopped: Promise<'stopped'>;
  stop: () => void;
}

export class TypeScriptKernel extends BaseKernel {
  private worker!: Worker;
  private started!: Promise<string | undefined>;
  private running: RunningCell | undefined;

  constructor(private readonly options: TypeScriptKernelOptions) {
    super(options);
    this.startWorker();
  }

  /** A new worker; `started` gives undefined once it is ready, else why it could not start. */
  private startWorker(): void {
    this.worker = new Worker(URLExt.join(this.options.siteUrl, 'tp5', 'worker.js'));
    this.started = new Promise((resolve) => {
      this.worker.onmessage = (event: MessageEvent<FromWorker>) => {
        const message = event.data;
        if (message.type === 'ready') resolve(undefined);
        else if (message.type === 'failed') resolve(`Le noyau TypeScript n'a pas pu démarrer : ${message.message}`);
        else this.running?.onMessage(message);
      };
      this.worker.onerror = (event) => resolve(`Le noyau TypeScript n'a pas pu démarrer : ${event.message}`);
    });
    this.post({ type: 'start', siteUrl: this.options.siteUrl });
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.worker.terminate();
    super.dispose();
  }

  /** The stop button (■): the worker is told, and the running cell ends as soon as it stops (see the class's comment). */
  interrupt(): void {
    if (this.running === undefined) return;
    this.post({ type: 'interrupt' });
    this.running.stop();
  }

  async kernelInfoRequest(): Promise<KernelMessage.IInfoReplyMsg['content']> {
    return {
      implementation: 'tp5-typescript',
      implementation_version: '1.0.0',
      language_info: {
        name: 'typescript',
        version: '5.9',
        mimetype: 'text/typescript',
        file_extension: '.ts',
        codemirror_mode: { name: 'javascript', typescript: true },
      },
      protocol_version: '5.3',
      status: 'ok',
      banner: 'TypeScript dans le navigateur : TensorFlow.js et la bibliothèque du TP5',
      help_links: [],
    };
  }

  async executeRequest(content: KernelMessage.IExecuteRequestMsg['content']): Promise<KernelMessage.IExecuteReplyMsg['content']> {
    const failure = await this.started;
    if (failure !== undefined) return this.failed(failure);
    const parent = this.parentHeader;
    let finish!: (ok: boolean) => void;
    let resolveStopped!: () => void;
    const cell: RunningCell = {
      done: new Promise<boolean>((resolve) => (finish = resolve)),
      stopped: new Promise<'stopped'>((resolve) => (resolveStopped = () => resolve('stopped'))),
      stop: () => resolveStopped(),
      onMessage: (message) => {
        if (message.type === 'stream') this.stream({ name: message.name, text: message.text }, parent);
        else if (message.type === 'display') this.show(message.display, message.update, parent);
        else if (message.type === 'result')
          this.publishExecuteResult({ execution_count: this.executionCount, data: message.data as IMimeBundle, metadata: {} }, parent);
        else if (message.type === 'done') finish(message.ok);
      },
    };
    this.running = cell;
    this.post({ type: 'execute', code: content.code });
    const outcome = await Promise.race([cell.done, cell.stopped]);
    if (outcome === 'stopped') return this.failed(await this.afterStop(cell));
    this.running = undefined;
    return outcome ? { status: 'ok', execution_count: this.executionCount, user_expressions: {}, payload: [] } : this.failed();
  }

  /** After ■: the stopped cell's line once the worker has finished it, or a new worker when it does not in time. */
  private async afterStop(cell: RunningCell): Promise<string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), RESTART_AFTER_SECONDS * 1000)));
    const ended = await Promise.race([cell.done, timeout]);
    clearTimeout(timer);
    this.running = undefined;
    if (ended !== 'late') return STOPPED;
    this.worker.terminate();
    this.startWorker();
    return RESTARTED;
  }

  private show(display: WorkerDisplay, update: boolean, parent: KernelMessage.IHeader | undefined): void {
    const content = {
      data: display.data,
      metadata: display.metadata,
      transient: display.transient,
    } as KernelMessage.IDisplayDataMsg['content'];
    const id = display.transient.display_id;
    if (update && id !== undefined) this.updateDisplayData({ ...content, transient: { display_id: id } }, parent);
    else this.displayData(content, parent);
  }

  /** An error reply; its message, when there is one, goes to the cell's error output as tslab prints it. */
  private failed(message?: string): KernelMessage.IExecuteReplyMsg['content'] {
    if (message !== undefined) this.stream({ name: 'stderr', text: `${message}\n` }, this.parentHeader);
    return { status: 'error', execution_count: this.executionCount, ename: '', evalue: '', traceback: [] };
  }

  async completeRequest(content: KernelMessage.ICompleteRequestMsg['content']): Promise<KernelMessage.ICompleteReplyMsg['content']> {
    return { status: 'ok', matches: [], cursor_start: content.cursor_pos, cursor_end: content.cursor_pos, metadata: {} };
  }

  async inspectRequest(): Promise<KernelMessage.IInspectReplyMsg['content']> {
    return { status: 'ok', found: false, data: {}, metadata: {} };
  }

  async isCompleteRequest(): Promise<KernelMessage.IIsCompleteReplyMsg['content']> {
    return { status: 'complete' };
  }

  async commInfoRequest(): Promise<KernelMessage.ICommInfoReplyMsg['content']> {
    return { status: 'ok', comms: {} };
  }

  inputReply(): void {}

  async commOpen(): Promise<void> {}

  async commMsg(): Promise<void> {}

  async commClose(): Promise<void> {}
}
