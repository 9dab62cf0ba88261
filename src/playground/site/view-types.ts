/**
 * The shapes the playground's server sends its web page, shared by both sides (the page imports this
 * file's types only, so it must import nothing itself).
 */

export interface ButtonView { customId?: string; url?: string; label?: string; emoji?: string; style: number; disabled: boolean }
export interface EmbedView {
  title?: string; description?: string; url?: string; color?: number; author?: string; footer?: string;
  fields: { name: string; value: string; inline: boolean }[];
  image?: { url: string; width?: number; height?: number };
  thumbnail?: { url: string };
}
export interface AttachmentView { id: string; url: string; filename: string; contentType?: string; width?: number; height?: number; description?: string; size: number }
export interface ReactionView { emoji: string; count: number; me: boolean; names: string[] }

export interface MessageView {
  id: string;
  channelId: string;
  /** Discord's message type: 0 default, 6 pin notice, 18 thread created, 19 reply, 20 command reply, 23 context menu. */
  type: number;
  author: { id: string; name: string; bot: boolean };
  content: string;
  timestamp: string;
  edited: boolean;
  ephemeral: boolean;
  /** A deferred reply still "thinking". */
  loading: boolean;
  pinned: boolean;
  reference?: { id: string; authorName: string; content: string };
  /** Who ran which command (or clicked which button) to produce this message. */
  interaction?: { userName: string; command?: string };
  embeds: EmbedView[];
  attachments: AttachmentView[];
  buttons: ButtonView[][];
  reactions: ReactionView[];
  threadId?: string;
  /** Display names of users mentioned as `<@id>` anywhere in the message. */
  names: Record<string, string>;
}

export interface ChannelView {
  id: string;
  name: string;
  /** Set on threads: the channel they belong to. */
  parentId?: string;
}

export interface MemberView {
  id: string;
  name: string;
  owner: boolean;
}

/** A registered application command option (Discord's shape, the fields the composer reads). */
export interface CommandOptionView {
  /** 1 subcommand, 2 group, 3 string, 4 integer, 5 boolean, 6 user, 7 channel, 8 role, 10 number, 11 attachment. */
  type: number;
  name: string;
  description: string;
  required?: boolean;
  choices?: { name: string; value: string | number }[];
  options?: CommandOptionView[];
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
}

/** A registered application command: 1 slash, 3 message context menu. */
export interface CommandView {
  name: string;
  description: string;
  type: number;
  options?: CommandOptionView[];
}

export interface PlaygroundState {
  me: MemberView;
  guild: { name: string };
  channels: ChannelView[];
  commands: CommandView[];
  members: MemberView[];
  uploadLimitBytes: number;
}

/** What an interaction (command, button, modal) came to: a modal to show, or a note that the bot did not answer. */
export interface InteractionOutcome {
  modal?: ModalView;
  notice?: string;
}

/** A modal the bot opened (Discord's shape: action rows of text inputs, or labels around them). */
export interface ModalView {
  custom_id: string;
  title: string;
  components: unknown[];
}

/** Frames on the live socket. A message frame without `message` means it was deleted (or is not for you). */
export type SocketFrame =
  | { type: 'hello' }
  | { type: 'message'; channelId: string; id: string; message?: MessageView }
  | { type: 'channels'; channels: ChannelView[] }
  | { type: 'commands'; commands: CommandView[] }
  | { type: 'members'; members: MemberView[] };
