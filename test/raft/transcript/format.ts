import {
  parseConfChange, type ConfState, type Entry, type HardState, type Message, type Ready,
  type Snapshot,
} from '../../../src/raft/index.js';

/**
 * One-line renderings of the Raft core's values for transcripts, in the spirit of etcd-io/raft's
 * datadriven output: `term/index` for entries, `from->to type` for messages, and only the
 * fields that mean something for the message type (zeros are shown where they carry meaning).
 */

const decoder = new TextDecoder();

export function formatEntry(entry: Entry): string {
  const at = `${entry.term}/${entry.index}`;
  if (entry.type === 'normal') return `${at} ${JSON.stringify(decoder.decode(entry.data))}`;
  const change = parseConfChange(entry.data);
  if (typeof change === 'string') return `${at} conf <${change}>`;
  return `${at} conf ${change.type} ${change.nodeId}`;
}

export function formatEntries(entries: readonly Entry[]): string {
  return `[${entries.map(formatEntry).join(', ')}]`;
}

export function formatConfState(confState: ConfState): string {
  const voters = `Voters:(${confState.voters.join(' ')})`;
  if (confState.learners.length === 0) return voters;
  return `${voters} Learners:(${confState.learners.join(' ')})`;
}

export function formatSnapshot(snapshot: Snapshot): string {
  const { index, term, confState } = snapshot.metadata;
  const data = JSON.stringify(decoder.decode(snapshot.data));
  return `${term}/${index} ${formatConfState(confState)} Data:${data}`;
}

export function formatHardState(hardState: HardState): string {
  return `Term:${hardState.term} Vote:${hardState.vote} Commit:${hardState.commit}`;
}

/** Message types whose (logTerm, index) name a log position (the sender's or the probe's). */
const LOG_POSITION_TYPES: ReadonlySet<Message['type']> = new Set(['app', 'vote', 'preVote']);

export function formatMessage(message: Message): string {
  const parts = [`${message.from}->${message.to} ${message.type} Term:${message.term}`];
  const hinted = message.reject && message.type === 'appResp';
  if (LOG_POSITION_TYPES.has(message.type)) {
    parts.push(`Log:${message.logTerm}/${message.index}`);
  } else {
    if (message.index !== 0 || message.type === 'appResp') parts.push(`Index:${message.index}`);
    if (message.logTerm !== 0 && !hinted) parts.push(`LogTerm:${message.logTerm}`);
  }
  if (message.type === 'app' || message.type === 'heartbeat' || message.commit !== 0) {
    parts.push(`Commit:${message.commit}`);
  }
  if (message.entries.length > 0) parts.push(`Entries:${formatEntries(message.entries)}`);
  if (message.reject) parts.push('Rejected');
  // An append rejection says where the follower's log may match ours: (term, index).
  if (hinted) parts.push(`(Hint:${message.logTerm}/${message.rejectHint})`);
  else if (message.rejectHint !== 0) parts.push(`RejectHint:${message.rejectHint}`);
  if (message.snapshot !== undefined) parts.push(`Snapshot:${formatSnapshot(message.snapshot)}`);
  if (message.context !== 0) {
    const isCampaign = message.type === 'vote' || message.type === 'preVote';
    parts.push(isCampaign && message.context === 1 ? 'Transfer' : `Context:${message.context}`);
  }
  return parts.join(' ');
}

/**
 * A Ready as a list of lines: a header, then only the parts that are present. `note` may add a
 * remark to a message (that the network drops it).
 */
export function formatReady(ready: Ready, note: (message: Message) => string = () => ''): string[] {
  const lines = [`Ready MustSync=${ready.mustSync}:`];
  if (ready.softState !== undefined) {
    lines.push(`Lead:${ready.softState.leader} Role:${ready.softState.role}`);
  }
  if (ready.hardState !== undefined) lines.push(`HardState ${formatHardState(ready.hardState)}`);
  if (ready.snapshot !== undefined) lines.push(`Snapshot ${formatSnapshot(ready.snapshot)}`);
  section(lines, 'Entries:', ready.entries.map(formatEntry));
  section(lines, 'CommittedEntries:', ready.committedEntries.map(formatEntry));
  // Early messages may leave before this Ready's write is durable (a leader's own appends).
  const format = (message: Message): string => formatMessage(message) + note(message);
  section(lines, 'EarlyMessages:', ready.earlyMessages.map(format));
  section(lines, 'Messages:', ready.messages.map(format));
  section(lines, 'ReadStates:',
    ready.readStates.map((read) => `Index:${read.index} Context:${read.context}`));
  return lines;
}

function section(lines: string[], title: string, items: readonly string[]): void {
  if (items.length === 0) return;
  lines.push(title, ...items);
}

/** A logger call as `LEVEL id message key=value...` (the id is the node's). */
export function formatLog(level: string, fields: object, message: string): string {
  const { id, ...rest } = fields as { id?: unknown };
  const values = Object.entries(rest).map(([key, value]) => `${key}=${formatValue(value)}`);
  return [level.toUpperCase(), String(id ?? '?'), message, ...values].join(' ');
}

function formatValue(value: unknown): string {
  if (typeof value === 'string' && /^[\w.:-]+$/.test(value)) return value;
  return JSON.stringify(value) ?? String(value);
}
