import { FormatError } from './errors';
import { flatSpans, type NerDocument, type OverlapPolicy, type Span } from './spans';
import { numberedLines, type TextSource } from './text-stream';
import { codePointCount, tokenize } from './tokenize';

export interface ConllExportOptions {
  /** 4 columns (`token -X- _ TAG`, as CoNLL-2003) or 2 (`token TAG`); default 4. */
  columns?: 2 | 4;
  overlaps?: OverlapPolicy;
}

const DOCSTART = '-DOCSTART-';

/**
 * One document in CoNLL-2003 form with IOB2 tags: a `-DOCSTART-` line, then a token per line,
 * a blank line between sentences (a line break in the text outside any entity ends a sentence).
 * Tokens split on whitespace and punctuation and at every span edge, so each entity is exactly
 * its tokens; an entity of whitespace only has no token and is reported in `dropped`.
 */
export function conllDocument(
  document: NerDocument,
  options: ConllExportOptions = {},
): { text: string; dropped: Span[] } {
  const columns = options.columns ?? 4;
  const { spans, dropped } = flatSpans(document, options.overlaps);
  for (const span of spans)
    if (!/^\S+$/.test(span.label))
      throw new FormatError(
        `label ${JSON.stringify(span.label)} cannot be a CoNLL tag (it has whitespace)`,
        {},
        'labels',
      );
  const boundaries = new Set(spans.flatMap((span) => [span.start, span.end]));
  const tokens = tokenize(document.text, boundaries);
  const points = Array.from(document.text);
  const line = (token: string, tag: string) =>
    columns === 4 ? `${token} -X- _ ${tag}` : `${token} ${tag}`;
  const lines = [line(DOCSTART, 'O').replace(' _ ', ' -X- '), ''];
  let spanIndex = 0;
  let previousEnd = 0;
  const tagged = new Set<Span>();
  for (const token of tokens) {
    while (spanIndex < spans.length && spans[spanIndex]!.end <= token.start) spanIndex++;
    const span = spans[spanIndex];
    const inside = span !== undefined && span.start <= token.start && token.end <= span.end;
    const gap = points.slice(previousEnd, token.start).join('');
    // The first token of a span is its B- token, even when the span starts with whitespace.
    const continuesEntity = inside && tagged.has(span);
    if (/[\n\r\u2028\u2029]/.test(gap) && !continuesEntity && lines[lines.length - 1] !== '')
      lines.push('');
    lines.push(line(token.text, inside ? `${continuesEntity ? 'I' : 'B'}-${span.label}` : 'O'));
    if (inside) tagged.add(span);
    previousEnd = token.end;
  }
  if (lines[lines.length - 1] !== '') lines.push('');
  const untokenized = spans.filter((span) => !tagged.has(span));
  return { text: `${lines.join('\n')}\n`, dropped: [...dropped, ...untokenized] };
}

/** A document read back from CoNLL: tokens joined by spaces, sentences by line breaks. */
export interface ConllDocument {
  /** The line of its `-DOCSTART-` (or first token). */
  line: number;
  text: string;
  annotations: Array<Span & { text: string }>;
}

const TAG = /^(?:O|([BIESLU])-(\S+))$/;

/**
 * Reads CoNLL files (2003 or any whitespace-separated columns with the tag last), one document
 * per `-DOCSTART-` (the whole file when there is none), streaming line by line. Accepts IOB2,
 * IOB1 (an I- tag may start an entity), BIOES and BILOU; refuses other tags with the line.
 * Offsets of the rebuilt text count code points.
 */
export function* readConll(
  source: TextSource,
  options: { file?: string } = {},
): Generator<ConllDocument> {
  let document: ConllDocument | undefined;
  let position = 0;
  let sentenceHasTokens = false;
  let open: (Span & { text: string }) | undefined;
  const closeEntity = () => {
    if (open && document) document.annotations.push(open);
    open = undefined;
  };
  const finish = () => {
    closeEntity();
    const done = document;
    document = undefined;
    position = 0;
    sentenceHasTokens = false;
    return done;
  };
  for (const { line, text } of numberedLines(source, options)) {
    const fields = text.trim().split(/\s+/);
    if (text.trim() === '') {
      closeEntity();
      if (sentenceHasTokens && document) {
        document.text += '\n';
        position++;
        sentenceHasTokens = false;
      }
      continue;
    }
    if (fields[0] === DOCSTART) {
      const done = finish();
      if (done && done.text !== '') yield trimDocument(done);
      document = { line, text: '', annotations: [] };
      continue;
    }
    if (fields.length < 2)
      throw new FormatError('a token line needs a tag column', { file: options.file, line });
    const token = fields[0]!;
    const tag = fields[fields.length - 1]!;
    const match = TAG.exec(tag);
    if (!match)
      throw new FormatError(
        `${JSON.stringify(tag)} is not an IOB/BIOES tag (O, B-X, I-X, E-X, S-X)`,
        { file: options.file, line },
      );
    document ??= { line, text: '', annotations: [] };
    if (sentenceHasTokens) {
      document.text += ' ';
      position++;
    }
    const start = position;
    const length = codePointCount(token);
    document.text += token;
    position += length;
    sentenceHasTokens = true;
    const [, kind, label] = match;
    if (kind === undefined || label === undefined) {
      closeEntity();
      continue;
    }
    const continues = (kind === 'I' || kind === 'E' || kind === 'L') && open?.label === label;
    if (continues && open) {
      open.end = position;
      open.text += ` ${token}`;
    } else {
      closeEntity();
      open = { start, end: position, label, text: token };
    }
    if (kind === 'E' || kind === 'L' || kind === 'S' || kind === 'U') closeEntity();
  }
  const done = finish();
  if (done && done.text !== '') yield trimDocument(done);
}

function trimDocument(document: ConllDocument): ConllDocument {
  // Sentence breaks add a trailing line break; the last sentence needs none.
  if (document.text.endsWith('\n')) document.text = document.text.slice(0, -1);
  return document;
}
