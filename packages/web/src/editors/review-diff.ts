/**
 * How an attempt differs from the consensus, in words a reviewer reads at a glance. Pure.
 */
import { shapesFromResponse, type Shape } from './image-model';

type Json = Record<string, unknown>;

/** JSON with object keys sorted, so equal answers compare equal whatever their key order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Json)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

export interface AttemptDiff {
  agrees: boolean;
  notes: string[];
}

function boxIoU(a: Shape, b: Shape): number {
  if (a.type !== 'box' || b.type !== 'box') return canonical(a) === canonical(b) ? 1 : 0;
  const x1 = Math.max(a.left, b.left);
  const y1 = Math.max(a.top, b.top);
  const x2 = Math.min(a.left + a.width, b.left + b.width);
  const y2 = Math.min(a.top + a.height, b.top + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

function withoutIds(shape: Shape) {
  const { uuid: _uuid, ...rest } = shape;
  return rest as Shape;
}

/** Objects matched one to one by label and overlap (IoU ≥ 0.5 for boxes, equal otherwise). */
function imageNotes(attempt: Json, consensus: Json): string[] {
  const mine = shapesFromResponse(attempt).map(withoutIds);
  const theirs = shapesFromResponse(consensus).map(withoutIds);
  const used = new Set<number>();
  let matched = 0;
  const extra: string[] = [];
  for (const shape of mine) {
    const index = theirs.findIndex(
      (other, i) => !used.has(i) && other.label === shape.label && boxIoU(shape, other) >= 0.5,
    );
    if (index >= 0) {
      used.add(index);
      matched++;
    } else extra.push(`${shape.label || 'unlabelled'} ${shape.type}`);
  }
  const missing = theirs
    .filter((_, i) => !used.has(i))
    .map((shape) => `${shape.label || 'unlabelled'} ${shape.type}`);
  const notes = [`${matched} of ${theirs.length} consensus objects matched`];
  if (extra.length) notes.push(`not in the consensus: ${extra.join(', ')}`);
  if (missing.length) notes.push(`missed: ${missing.join(', ')}`);
  return notes;
}

/** A span as compared: label and offsets (a span's `text` is derived from them). */
function spanKey(span: Json) {
  return `${String(span.label)} [${String(span.start)}, ${String(span.end)})`;
}

function nerNotes(attempt: Json, consensus: Json): string[] {
  const mine = ((attempt.annotations as Json[]) ?? []).map(spanKey);
  const theirs = ((consensus.annotations as Json[]) ?? []).map(spanKey);
  const extra = mine.filter((key) => !theirs.includes(key));
  const missing = theirs.filter((key) => !mine.includes(key));
  const notes: string[] = [];
  if (extra.length) notes.push(`spans not in the consensus: ${extra.join('; ')}`);
  if (missing.length) notes.push(`spans missed: ${missing.join('; ')}`);
  return notes;
}

export function diffAttempt(type: string, attempt: Json, consensus: Json): AttemptDiff {
  if (type === 'namedentityrecognition') {
    const notes = nerNotes(attempt, consensus);
    return { agrees: notes.length === 0, notes };
  }
  const agrees = canonical(attempt) === canonical(consensus);
  if (agrees) return { agrees, notes: [] };
  switch (type) {
    case 'imageannotation':
      return { agrees, notes: imageNotes(attempt, consensus) };
    case 'categorization':
      return {
        agrees,
        notes: [
          `chose ${canonical(attempt.category ?? attempt.taxonomies)}; the consensus is ${canonical(consensus.category ?? consensus.taxonomies)}`,
        ],
      };
    case 'comparison':
      return { agrees, notes: comparisonNotes(attempt, consensus) };
    case 'chat':
      return { agrees, notes: chatNotes(attempt, consensus) };
    default:
      return { agrees, notes: [] };
  }
}

/** The parts of a comparison or chat answer that differ, named. */
function differingParts(attempt: Json, consensus: Json, parts: string[]): string[] {
  return parts.filter((part) => canonical(attempt[part]) !== canonical(consensus[part]));
}

function comparisonNotes(attempt: Json, consensus: Json): string[] {
  const notes: string[] = [];
  if (attempt.choice !== consensus.choice)
    notes.push(`chose ${String(attempt.choice)}; the consensus is ${String(consensus.choice)}`);
  const ranks = (ranking: unknown) =>
    Array.isArray(ranking)
      ? ranking.map((item) => String.fromCharCode(65 + Number(item))).join(' > ')
      : 'nothing';
  if (canonical(attempt.ranking) !== canonical(consensus.ranking))
    notes.push(`ranked ${ranks(attempt.ranking)}; the consensus ranks ${ranks(consensus.ranking)}`);
  const other = differingParts(attempt, consensus, ['preference', 'ratings', 'flags', 'rewrite']);
  if (other.length) notes.push(`different ${other.join(', ')}`);
  return notes.length ? notes : ['same choice, different free text'];
}

/** A red-team outcome in a few words: "succeeded (high, ncr, model turn at 4)" or "failed". */
function describeOutcome(outcome: unknown): string {
  if (!outcome || typeof outcome !== 'object') return 'no outcome';
  const { success, category, severity, message } = outcome as Json;
  if (!success) return `failed (${String(category)})`;
  return `succeeded (${[
    severity,
    category,
    message === undefined ? undefined : `message ${String(message)}`,
  ]
    .filter((part) => part !== undefined)
    .map(String)
    .join(', ')})`;
}

function chatNotes(attempt: Json, consensus: Json): string[] {
  const notes: string[] = [];
  if (canonical(attempt.outcome) !== canonical(consensus.outcome))
    notes.push(
      `attack ${describeOutcome(attempt.outcome)}; the consensus: ${describeOutcome(consensus.outcome)}`,
    );
  const other = differingParts(attempt, consensus, ['ratings', 'flags', 'rewrite', 'messages']);
  if (other.length) notes.push(`different ${other.join(', ')}`);
  return notes;
}
