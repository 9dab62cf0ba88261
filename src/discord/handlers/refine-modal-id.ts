/**
 * custom_id of the Refine modal: `refine:<draftId>[:<variant>]`, and the ids of its two fields. The
 * modal is opened by the Refine button and by the "Refine draft" context-menu command.
 */
export const REFINE_MODAL_PREFIX = 'refine';
export const REFINE_FIELD_TEXT = 'instructions';
export const REFINE_FIELD_VARIANT = 'variant';

export function refineModalId(draftId: string, variant?: number): string {
  return [REFINE_MODAL_PREFIX, draftId, ...(variant === undefined ? [] : [String(variant)])].join(':');
}

export function parseRefineModalId(customId: string): { draftId: string; variant?: number } | undefined {
  const [prefix, draftId, variant, ...rest] = customId.split(':');
  if (prefix !== REFINE_MODAL_PREFIX || rest.length > 0 || !draftId || !/^[A-Za-z0-9_-]{1,64}$/.test(draftId)) return undefined;
  if (variant === undefined) return { draftId };
  return /^[0-3]$/.test(variant) ? { draftId, variant: Number(variant) } : undefined;
}
