/**
 * custom_ids of the buttons under a draft message: `draft:<action>:<draftId>[:<variant>]`. Everything
 * a click needs is in the id (state is looked up in the store), so buttons keep working after a
 * restart. `parseDraftButtonId` is the "mine or not" step: undefined for any other id.
 */
export const DRAFT_BUTTON_PREFIX = 'draft';
export const DRAFT_ACTIONS = ['pick', 'vary', 'reroll', 'refine', 'animate', 'upscale', 'cancel', 'retry'] as const;
export type DraftAction = (typeof DRAFT_ACTIONS)[number];

export interface DraftButtonId {
  action: DraftAction;
  draftId: string;
  /** 0-based variant for pick / vary / refine / animate / upscale. */
  variant?: number;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function draftButtonId(b: DraftButtonId): string {
  const id = [DRAFT_BUTTON_PREFIX, b.action, b.draftId, ...(b.variant === undefined ? [] : [String(b.variant)])].join(':');
  if (id.length > 100) throw new RangeError(`custom_id "${id}" is longer than 100 characters`);
  return id;
}

export function parseDraftButtonId(customId: string): DraftButtonId | undefined {
  const [prefix, action, draftId, variant, ...rest] = customId.split(':');
  if (prefix !== DRAFT_BUTTON_PREFIX || rest.length > 0 || !draftId || !ID.test(draftId)) return undefined;
  if (!(DRAFT_ACTIONS as readonly string[]).includes(action ?? '')) return undefined;
  if (variant === undefined) return { action: action as DraftAction, draftId };
  const v = Number(variant);
  if (!/^[0-3]$/.test(variant)) return undefined;
  return { action: action as DraftAction, draftId, variant: v };
}
