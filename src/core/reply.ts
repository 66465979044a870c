import type { DirectionStatus, Severity, VerdictStatus } from '../diagnostics/findings.js';
import type { GroupMention } from './mention.js';

// The neutral message every adapter renders (Block Kit, Adaptive Cards, HTML). No platform type
// leaks in here; renderers are pure functions of a Reply and respect their platform's limits.

/**
 * A button's action: the name its owner registered (src/core/registry.ts), which is what rides on
 * the wire (Slack action_id "triage:<name>", the Teams card verb, the web form).
 */
export type ButtonAction = string;

export interface ReplyButton {
  action: ButtonAction;
  label: string;
  /** Opaque id of a stored record (a check run, a plan). Never a command or parameters. */
  recordId: string;
  style?: 'primary' | 'danger';
  /** Optional choices (a VM to test-migrate): the selected value is sent back with the click. */
  choices?: Array<{ label: string; value: string }>;
  /** Ask before acting (Slack confirm dialog, a Teams confirmation card): for clicks that write. */
  confirm?: { title: string; text: string; yes: string; no: string };
}

export interface ReplyMatrix {
  nodes: string[];
  /** cells[from][to]; the diagonal is absent. */
  cells: Record<string, Record<string, DirectionStatus>>;
}

export interface ReplySection {
  title: string;
  severity?: Severity;
  lines: string[];
  /**
   * The lines are text to copy as it stands (a policy snippet): renderers show them in monospace,
   * in one block, without bullets or markup, so what a person copies is exactly the lines.
   */
  preformatted?: boolean;
}

export interface ReplyAttachment {
  filename: string;
  mimeType: string;
  content: string;
}

export interface Reply {
  /** Short title: "Live migration check · HV01, HV02". */
  header: string;
  verdict?: { status: VerdictStatus | 'info' | 'error' | 'pending' | 'awaiting'; text: string };
  facts?: Array<{ label: string; value: string }>;
  matrix?: ReplyMatrix;
  sections?: ReplySection[];
  buttons?: ReplyButton[];
  /** Small print: who ran it, when, which relay. */
  context?: string[];
  /** Whole data too large for a message; renderers attach it as a file. */
  attachments?: ReplyAttachment[];
  /** Only the person who typed the command sees it. */
  ephemeral?: boolean;
  /** Groups to notify on this message (the approvers of a plan); see mention.ts. */
  notify?: GroupMention[];
  /**
   * The stored check run this reply shows. An adapter that serves reports (Teams, PUBLIC_BASE_URL)
   * links a matrix too big for a message to /reports/<id> instead of posting it in parts.
   */
  reportId?: string;
}

export function textReply(text: string, opts: { ephemeral?: boolean; status?: 'info' | 'error' } = {}): Reply {
  return {
    header: opts.status === 'error' ? 'Cannot do that' : 'triage-bot',
    verdict: { status: opts.status ?? 'info', text },
    ephemeral: opts.ephemeral ?? false,
  };
}
