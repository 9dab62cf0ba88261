/**
 * The message box. Plain text (with files, or as a reply) is posted as a message; text starting with
 * `/` is a slash command: the hints list the registered commands, then the chosen command's options
 * (required ones marked, descriptions, choices), attachment options get file pickers, and Enter runs
 * it as Discord's desktop client does. Arrow keys move through suggestions, Tab or Enter takes one,
 * Escape closes them or cancels a reply; Shift+Enter starts a new line.
 */
import type { CommandOptionView, CommandView, MessageView } from '../../site/view-types.js';
import { commandContext, parseSlash, type ParsedCommand } from './slash-parse.js';

export interface ComposerHost {
  commands(): CommandView[];
  uploadLimitBytes(): number;
  sendMessage(content: string, replyTo: MessageView | undefined, files: File[]): Promise<void>;
  runCommand(command: ParsedCommand, files: Record<string, File>): Promise<void>;
}

interface Suggestion {
  label: string;
  detail: string;
  /** The composer text after taking it. */
  text: string;
  /** Marks a required option. */
  required?: boolean;
  current?: boolean;
}

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class Composer {
  private readonly form = el<HTMLFormElement>('composer');
  private readonly input = el<HTMLTextAreaElement>('composer-input');
  private readonly hints = el<HTMLDivElement>('hints');
  private readonly error = el<HTMLParagraphElement>('composer-error');
  private readonly replyBar = el<HTMLDivElement>('reply-bar');
  private readonly pendingList = el<HTMLUListElement>('pending-files');
  private readonly optionFilesBox = el<HTMLDivElement>('option-files');
  private replyingTo: MessageView | undefined;
  private pending: File[] = [];
  private optionFiles: Record<string, File> = {};
  private suggestions: Suggestion[] = [];
  private active = -1;
  private busy = false;

  constructor(private readonly host: ComposerHost) {
    this.input.addEventListener('input', () => this.refresh());
    this.input.addEventListener('keydown', (event) => this.onKey(event));
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.send();
    });
    el<HTMLInputElement>('file-input').addEventListener('change', (event) => {
      const input = event.target as HTMLInputElement;
      for (const file of input.files ?? []) this.attach(file);
      input.value = '';
    });
    el<HTMLButtonElement>('reply-cancel').addEventListener('click', () => this.cancelReply());
  }

  /** Makes the next message a reply to `message`. */
  replyTo(message: MessageView): void {
    this.replyingTo = message;
    this.replyBar.hidden = false;
    el('reply-text').textContent = `Replying to ${message.author.name}`;
    this.input.focus();
  }

  cancelReply(): void {
    this.replyingTo = undefined;
    this.replyBar.hidden = true;
  }

  /** Adds a file to the next message (after checking the upload limit, as Discord's client does). */
  attach(file: File): void {
    const limit = this.host.uploadLimitBytes();
    if (file.size > limit) {
      this.showError(`${file.name} is larger than ${Math.floor(limit / (1024 * 1024))} MiB, the upload limit.`);
      return;
    }
    this.pending.push(file);
    this.renderPending();
  }

  /** Puts `text` in the box (e.g. `variant: 2` after painting a mask) and focuses it. */
  prefill(text: string): void {
    this.input.value = text;
    this.refresh();
    this.input.focus();
  }

  setChannelName(name: string): void {
    this.input.placeholder = `Message ${name}, or type / for commands`;
  }

  focus(): void {
    this.input.focus();
  }

  showError(message: string): void {
    this.error.textContent = message;
  }

  private onKey(event: KeyboardEvent): void {
    const open = this.suggestions.length > 0 && !this.hints.hidden;
    if (event.key === 'ArrowDown' && open) {
      event.preventDefault();
      this.highlight((this.active + 1) % this.suggestions.length);
    } else if (event.key === 'ArrowUp' && open) {
      event.preventDefault();
      this.highlight((this.active - 1 + this.suggestions.length) % this.suggestions.length);
    } else if (event.key === 'Tab' && open && this.active >= 0) {
      event.preventDefault();
      this.take(this.suggestions[this.active]!);
    } else if (event.key === 'Escape') {
      if (open) this.closeHints();
      else this.cancelReply();
    } else if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      const choice = open && this.active >= 0 ? this.suggestions[this.active] : undefined;
      if (choice && this.commandIncomplete()) this.take(choice);
      else void this.send();
    }
  }

  /**
   * Enter runs a command that is complete; otherwise it takes the highlighted suggestion (a command,
   * a subcommand, the next option or a choice), as Discord's client does.
   */
  private commandIncomplete(): boolean {
    return !parseSlash(this.input.value, this.host.commands()).ok;
  }

  private take(choice: Suggestion): void {
    this.input.value = choice.text;
    this.refresh();
    this.input.focus();
    this.input.setSelectionRange(this.input.value.length, this.input.value.length);
  }

  private async send(): Promise<void> {
    if (this.busy) return;
    const text = this.input.value;
    this.showError('');
    this.busy = true;
    try {
      if (text.trimStart().startsWith('/')) await this.sendCommand(text.trim());
      else {
        if (!text.trim() && this.pending.length === 0) return;
        await this.host.sendMessage(text, this.replyingTo, this.pending);
        this.reset();
      }
    } catch (error) {
      this.showError(error instanceof Error ? error.message : String(error));
    } finally {
      this.busy = false;
    }
  }

  private async sendCommand(text: string): Promise<void> {
    const parsed = parseSlash(text, this.host.commands());
    if (!parsed.ok) {
      this.showError(parsed.error);
      return;
    }
    const missing = parsed.value.definitions.filter((d) => d.type === 11 && d.required && !this.optionFiles[d.name]);
    if (missing.length > 0) {
      this.showError(`/${parsed.value.command.name} needs a file for ${missing.map((d) => d.name).join(', ')}: choose it below the message box.`);
      return;
    }
    const files = Object.fromEntries(Object.entries(this.optionFiles).filter(([name]) => parsed.value.definitions.some((d) => d.name === name)));
    await this.host.runCommand(parsed.value, files);
    this.reset();
  }

  private reset(): void {
    this.input.value = '';
    this.pending = [];
    this.optionFiles = {};
    this.renderPending();
    this.cancelReply();
    this.refresh();
  }

  private refresh(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 200)}px`;
    const text = this.input.value;
    if (!text.startsWith('/')) {
      this.closeHints();
      this.renderOptionFiles([]);
      return;
    }
    const context = commandContext(text, this.host.commands());
    this.renderOptionFiles(context.definitions.filter((d) => d.type === 11));
    if (context.nameCandidates.length > 0 || context.namePrefix !== undefined) {
      const base = context.command ? `/${context.command.name} ` : '/';
      this.show(context.nameCandidates.map((c) => ({ label: `${base}${c.name}`.trim(), detail: c.description, text: `${base}${c.name} ` })));
      return;
    }
    if (!context.command) {
      this.closeHints();
      return;
    }
    const current = context.current;
    if (current?.choices?.length) {
      const head = text.slice(0, text.toLowerCase().lastIndexOf(`${current.name.toLowerCase()}:`) + current.name.length + 1);
      const typed = text.slice(head.length).toLowerCase();
      this.show(current.choices.filter((c) => c.name.toLowerCase().startsWith(typed.trim()))
        .map((c) => ({ label: c.name, detail: `${current.name}`, text: `${head}${c.name} ` })));
      return;
    }
    const spacer = /\s$/.test(text) ? '' : ' ';
    this.show(context.definitions.filter((d) => d.type !== 11 && !context.written.includes(d.name)).map((d) => optionSuggestion(d, `${text}${spacer}${d.name}:`))
      .concat(current ? [{ ...optionSuggestion(current, text), current: true }] : []));
  }

  private show(suggestions: Suggestion[]): void {
    this.suggestions = suggestions;
    this.hints.replaceChildren();
    this.hints.hidden = suggestions.length === 0;
    suggestions.forEach((suggestion, index) => {
      const item = document.createElement('div');
      item.className = 'hint';
      item.id = `hint-${index}`;
      item.setAttribute('role', 'option');
      item.classList.toggle('current', suggestion.current === true);
      const label = document.createElement('strong');
      label.textContent = suggestion.label + (suggestion.required ? ' *' : '');
      if (suggestion.required) label.title = 'required';
      const detail = document.createElement('span');
      detail.textContent = suggestion.detail;
      item.append(label, detail);
      item.addEventListener('mousedown', (event) => {
        event.preventDefault();
        this.take(suggestion);
      });
      this.hints.append(item);
    });
    this.highlight(suggestions.findIndex((s) => s.current) >= 0 ? suggestions.findIndex((s) => s.current) : suggestions.length > 0 ? 0 : -1);
  }

  private highlight(index: number): void {
    this.active = index;
    [...this.hints.children].forEach((child, i) => child.setAttribute('aria-selected', String(i === index)));
    if (index >= 0) this.input.setAttribute('aria-activedescendant', `hint-${index}`);
    else this.input.removeAttribute('aria-activedescendant');
  }

  private closeHints(): void {
    this.suggestions = [];
    this.active = -1;
    this.hints.hidden = true;
    this.input.removeAttribute('aria-activedescendant');
  }

  private renderOptionFiles(definitions: CommandOptionView[]): void {
    this.optionFilesBox.hidden = definitions.length === 0;
    const wanted = definitions.map((d) => d.name).join(',');
    if (this.optionFilesBox.dataset.options === wanted) return;
    this.optionFilesBox.dataset.options = wanted;
    this.optionFilesBox.replaceChildren();
    for (const definition of definitions) {
      const label = document.createElement('label');
      label.className = 'option-file';
      const name = document.createElement('span');
      name.textContent = `${definition.name}${definition.required ? ' *' : ''} — ${definition.description}`;
      const input = document.createElement('input');
      input.type = 'file';
      input.dataset.option = definition.name;
      input.addEventListener('change', () => {
        const file = input.files?.[0];
        if (file) this.optionFiles[definition.name] = file;
        else delete this.optionFiles[definition.name];
      });
      label.append(name, input);
      this.optionFilesBox.append(label);
    }
  }

  private renderPending(): void {
    this.pendingList.replaceChildren();
    this.pending.forEach((file, index) => {
      const item = document.createElement('li');
      if (file.type.startsWith('image/')) {
        const preview = document.createElement('img');
        preview.src = URL.createObjectURL(file);
        preview.alt = `${file.name} (to send)`;
        item.append(preview);
      }
      const name = document.createElement('span');
      name.textContent = file.name;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = '✕';
      remove.setAttribute('aria-label', `Remove ${file.name}`);
      remove.addEventListener('click', () => {
        this.pending.splice(index, 1);
        this.renderPending();
      });
      item.append(name, remove);
      this.pendingList.append(item);
    });
  }
}

function optionSuggestion(definition: CommandOptionView, text: string): Suggestion {
  const bounds = definition.min_value !== undefined || definition.max_value !== undefined ? ` (${definition.min_value ?? ''}–${definition.max_value ?? ''})` : '';
  const choices = definition.choices?.length ? ` · ${definition.choices.map((c) => c.name).join(', ')}` : '';
  return { label: `${definition.name}:`, detail: `${definition.description}${bounds}${choices}`, text, required: definition.required === true };
}
