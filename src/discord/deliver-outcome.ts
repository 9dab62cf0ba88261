/**
 * The one `deliver` handed to ResultDelivery: routes each finished job to the delivery for its kind.
 */
import type { RenderOutcome } from '../queue/index.js';
import type { BotContext } from './bot-context.js';
import { deliverDraft } from './drafts/draft-delivery.js';
import { deliverMedia } from './media/media-delivery.js';

export async function deliverOutcome(ctx: BotContext, outcome: RenderOutcome): Promise<void> {
  if (outcome.name === 'draft' || outcome.name === 'refine' || outcome.name === 'upscale') await deliverDraft(ctx, outcome);
  else await deliverMedia(ctx, outcome);
}
