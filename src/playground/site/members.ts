/**
 * The playground's members: each browser tab picks a display name and becomes a member of the local
 * server. The first member to join owns the server (Discord's owner has every permission); later ones
 * are plain members. A tab proves which member it is with a random token kept in its session storage.
 * Names are not authentication: anyone who can reach the page can join under any free or used name.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { FakeDiscord, FakeUser } from '../discord-server/index.js';
import { SiteError } from './site-error.js';
import type { MemberView } from './view-types.js';

export interface Member {
  user: FakeUser;
  token: string;
  joinedAt: number;
}

/** A display name: 1-32 characters, no control characters, not only spaces. */
export const memberName = z.string().trim().min(1, 'Pick a name of 1 to 32 characters.').max(32, 'Pick a name of 1 to 32 characters.')
  .refine((name) => !/[\p{Cc}@#:`]/u.test(name), 'A name cannot contain @, #, :, ` or control characters.');

export class Members {
  private readonly byToken = new Map<string, Member>();

  constructor(private readonly discord: FakeDiscord) {}

  /** Joins `name` (the same name twice is the same member, in a new tab). The first member becomes the owner. */
  join(rawName: string): Member {
    const parsed = memberName.safeParse(rawName);
    if (!parsed.success) throw new SiteError(parsed.error.issues[0]!.message);
    const name = parsed.data;
    if (name.toLowerCase() === this.discord.bot.name.toLowerCase()) throw new SiteError(`${name} is the bot's name; pick another.`);
    const first = this.byToken.size === 0;
    const user = this.discord.user(name);
    const member: Member = { user, token: randomBytes(18).toString('base64url'), joinedAt: Date.now() };
    this.byToken.set(member.token, member);
    if (first) this.discord.transferOwnership(user);
    return member;
  }

  byTokenOf(token: string | undefined): Member | undefined {
    return token ? this.byToken.get(token) : undefined;
  }

  /** Every member who joined, once per name, in joining order. */
  list(): MemberView[] {
    const ownerId = this.discord.guild().ownerId;
    const seen = new Map<string, MemberView>();
    for (const member of this.byToken.values()) {
      if (!seen.has(member.user.id)) seen.set(member.user.id, { id: member.user.id, name: member.user.name, owner: member.user.id === ownerId });
    }
    return [...seen.values()];
  }
}
