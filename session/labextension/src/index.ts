// The student's side of the class server's exchange, in JupyterLab: a « TP5 » menu, a « Rendre » button
// in each notebook's toolbar, and the same commands in the palette. Every request goes to the student's
// own server (session/server.py), which talks to the exchange with its hub token. And the last English
// words of JupyterLab said in French (the plugin `french`).
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, ICommandPalette, ToolbarButton, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { Time, URLExt } from '@jupyterlab/coreutils';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import { Menu, Widget } from '@lumino/widgets';

/** A hand-in's receipt, as the exchange gives it. */
interface Receipt {
  notebook: string;
  number: number;
  time: string;
  late: boolean;
  /** The receipt as one French sentence. */
  phrase: string;
}

/** What is left to do in a notebook. */
interface Remaining {
  questions: string[];
  /** The questions whose written answer is still empty. */
  reponses_vides: string[];
}

const COMMANDS = { handIn: 'tp5:rendre', receipts: 'tp5:mes-rendus', feedback: 'tp5:mes-retours' };

/** A request to the student's server's /tp5/ handlers; its French message when it fails. */
async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const response = await ServerConnection.makeRequest(URLExt.join(settings.baseUrl, 'tp5', path), init, settings);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.message ?? `le serveur a répondu ${response.status}`);
  return data as T;
}

/** A dialog body made of paragraphs of plain text. */
function paragraphs(lines: string[]): Widget {
  const body = new Widget();
  for (const line of lines) {
    const p = document.createElement('p');
    p.textContent = line;
    body.node.appendChild(p);
  }
  return body;
}

function unfinished(remaining: Remaining): string[] {
  const lines: string[] = [];
  if (remaining.questions.length > 0) lines.push(`Questions encore à compléter (lab.todo) : ${remaining.questions.join(', ')}.`);
  const empty = remaining.reponses_vides;
  if (empty.length === 1) lines.push(`Réponse rédigée encore vide : question ${empty[0]}.`);
  if (empty.length > 1)
    lines.push(`Réponses rédigées encore vides : questions ${empty.slice(0, -1).join(', ')} et ${empty[empty.length - 1]}.`);
  return lines;
}

async function handIn(panel: NotebookPanel): Promise<void> {
  await panel.context.save();
  const path = panel.context.path;
  const left = unfinished(await call<Remaining>(`bilan?path=${encodeURIComponent(path)}`));
  if (left.length > 0) {
    const answer = await showDialog({
      title: "Ce carnet n'est pas terminé",
      body: paragraphs([...left, 'Le rendre quand même ? Vous pourrez le rendre de nouveau plus tard : chaque rendu est gardé.']),
      buttons: [Dialog.cancelButton({ label: 'Annuler' }), Dialog.okButton({ label: 'Rendre quand même' })],
    });
    if (!answer.button.accept) return;
  }
  const receipt = await call<Receipt>('rendre', { method: 'POST', body: JSON.stringify({ path }) });
  await showDialog({
    title: receipt.late ? 'Carnet rendu, en retard' : 'Carnet rendu',
    body: paragraphs([receipt.phrase]),
    buttons: [Dialog.okButton({ label: 'OK' })],
  });
}

async function showReceipts(): Promise<void> {
  const receipts = await call<Receipt[]>('rendus');
  await showDialog({
    title: 'Mes rendus',
    body: paragraphs(receipts.length > 0 ? receipts.map((r) => r.phrase) : ['Aucun rendu pour le moment.']),
    buttons: [Dialog.okButton({ label: 'OK' })],
  });
}

async function showFeedback(app: JupyterFrontEnd): Promise<void> {
  const { dossier, pages } = await call<{ dossier: string; pages: string[] }>('retours', { method: 'POST' });
  if (pages.length === 0) {
    await showDialog({
      title: 'Mes retours',
      body: paragraphs(["Pas encore de retour : il arrivera ici quand l'enseignant aura corrigé vos carnets."]),
      buttons: [Dialog.okButton({ label: 'OK' })],
    });
    return;
  }
  await app.commands.execute('filebrowser:go-to-path', { path: dossier });
  for (const page of pages) await app.commands.execute('docmanager:open', { path: `${dossier}/${page}` });
}

/** Runs a command's action, showing its failure as a French error dialog. */
function reporting(title: string, action: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await action();
    } catch (error) {
      await showErrorMessage(title, error instanceof Error ? error.message : String(error));
    }
  };
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'tp5-classe:exchange',
  description: 'Rendre un carnet, voir ses rendus et ses retours, sur le serveur de la classe',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [IMainMenu, ICommandPalette],
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker, mainMenu: IMainMenu | null, palette: ICommandPalette | null) => {
    app.commands.addCommand(COMMANDS.handIn, {
      label: 'Rendre ce carnet',
      caption: "Enregistrer ce carnet et le rendre à l'enseignant (chaque rendu est gardé)",
      isEnabled: () => tracker.currentWidget !== null,
      execute: reporting('Rendu impossible', async () => {
        if (tracker.currentWidget) await handIn(tracker.currentWidget);
      }),
    });
    app.commands.addCommand(COMMANDS.receipts, {
      label: 'Mes rendus',
      caption: 'La liste de mes rendus, avec leur heure',
      execute: reporting('Mes rendus', showReceipts),
    });
    app.commands.addCommand(COMMANDS.feedback, {
      label: 'Mes retours',
      caption: 'Les pages de correction de mes carnets (dossier tp5/retours)',
      execute: reporting('Mes retours', () => showFeedback(app)),
    });

    tracker.widgetAdded.connect((_, panel) => {
      const button = new ToolbarButton({
        className: 'tp5-rendre',
        label: 'Rendre',
        tooltip: "Enregistrer ce carnet et le rendre à l'enseignant",
        onClick: () => void reporting('Rendu impossible', () => handIn(panel))(),
      });
      panel.toolbar.insertItem(10, 'tp5-rendre', button);
    });

    if (mainMenu) {
      const menu = new Menu({ commands: app.commands });
      menu.id = 'tp5-classe-menu';
      menu.title.label = 'TP5';
      for (const command of Object.values(COMMANDS)) menu.addItem({ command });
      mainMenu.addMenu(menu, true, { rank: 1000 });
    }
    for (const command of Object.values(COMMANDS)) palette?.addItem({ command, category: 'TP5' });
  },
};

/**
 * The last English of the student's JupyterLab, which its French language pack cannot reach: the
 * toolbars' « More commands » button, made without a translator, and the file browser's ages in the
 * narrow style, which French writes « -4 min » (the short style: « il y a 4 min »).
 */
const french: JupyterFrontEndPlugin<void> = {
  id: 'tp5-classe:francais',
  description: 'Les derniers mots anglais de JupyterLab, en français',
  autoStart: true,
  activate: () => {
    const formatHuman = Time.formatHuman;
    Time.formatHuman = (value, format) => formatHuman(value, format === 'narrow' ? 'short' : format);
    const MORE = 'Plus de commandes';
    const translate = () => {
      for (const attribute of ['title', 'aria-label'])
        document.querySelectorAll(`[${attribute}="More commands"]`).forEach((element) => element.setAttribute(attribute, MORE));
    };
    new MutationObserver(translate).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['title', 'aria-label'],
    });
  },
};

export default [plugin, french];
