/**
 * A modal the bot opened (the Refine button's form): its text inputs laid out in a dialog, submitted
 * back as the modal's fields, or dismissed.
 */
import type { ModalView } from '../../site/view-types.js';

interface TextInput { custom_id: string; label?: string; style?: number; required?: boolean; value?: string; placeholder?: string; max_length?: number; min_length?: number }

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** The text inputs of a modal, with their labels (action rows, or Discord's newer label components). */
export function modalInputs(modal: ModalView): (TextInput & { label: string })[] {
  const inputs: (TextInput & { label: string })[] = [];
  for (const node of modal.components as Record<string, unknown>[]) {
    if (node.type === 1) for (const input of (node.components as TextInput[]) ?? []) inputs.push({ ...input, label: input.label ?? input.custom_id });
    if (node.type === 18) inputs.push({ ...(node.component as TextInput), label: String(node.label ?? '') });
  }
  return inputs;
}

/** Shows the modal; resolves with the fields, or null when dismissed. */
export function showModal(modal: ModalView): Promise<Record<string, string> | null> {
  const dialog = el<HTMLDialogElement>('modal-dialog');
  const form = el<HTMLFormElement>('modal-form');
  el('modal-title').textContent = modal.title;
  const fields = el('modal-fields');
  fields.replaceChildren();
  const inputs = modalInputs(modal).map((definition, index) => {
    const id = `modal-field-${index}`;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = definition.label + (definition.required === false ? '' : ' *');
    const input = definition.style === 2 ? document.createElement('textarea') : document.createElement('input');
    input.id = id;
    input.name = definition.custom_id;
    input.value = definition.value ?? '';
    input.placeholder = definition.placeholder ?? '';
    input.required = definition.required !== false;
    if (definition.max_length) input.maxLength = definition.max_length;
    fields.append(label, input);
    return input;
  });
  return new Promise((resolve) => {
    const abort = new AbortController();
    const finish = (result: Record<string, string> | null) => {
      abort.abort();
      if (dialog.open) dialog.close();
      resolve(result);
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      finish(Object.fromEntries(inputs.map((input) => [input.name, input.value])));
    }, { signal: abort.signal });
    el('modal-cancel').addEventListener('click', () => finish(null), { signal: abort.signal });
    dialog.addEventListener('cancel', () => finish(null), { signal: abort.signal });
    dialog.showModal();
    inputs[0]?.focus();
  });
}
