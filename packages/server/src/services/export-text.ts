import type { CategorizationResponse, Scope } from '@quorum/core';
import {
  classificationCsvCells,
  classificationCsvHeader,
  conllDocument,
  csvRow,
  flatSpans,
  isFormatError,
  toSpacyDoc,
  type NerDocument,
  type Span,
} from '@quorum/formats';
import type { Executor } from '../db/executor';
import {
  categoryExportOutline,
  pageCategoryExportRows,
  pageTextExportRows,
  type CategoryExportRow,
  type TextExportRow,
} from '../repositories/export-rows';
import type { OpenedExport } from './exports';
import type { SkipReport } from './export-support';

type PageFilter = Parameters<typeof pageTextExportRows>[2];

/** A task's text and response spans; `tagLabel` rewrites labels for formats that need tokens. */
function nerDocument(row: TextExportRow, tagLabel = (label: string) => label): NerDocument {
  const spans = (row.annotations === null ? [] : JSON.parse(row.annotations)) as Span[];
  return {
    id: row.id,
    text: row.text ?? '',
    annotations: spans.map(({ start, end, label }) => ({ start, end, label: tagLabel(label) })),
  };
}

/** A CoNLL tag is one token: whitespace inside a label becomes `_`. */
const conllTag = (label: string) => label.trim().replace(/\s+/g, '_') || '_';

/**
 * CoNLL-2003 with IOB2 tags, one `-DOCSTART-` document per task. Entities cannot overlap in
 * CoNLL: of overlapping spans the earlier (longer) one is kept and the others counted, as are
 * spans with no token (whitespace only). The format has no room for a note, so the counts go
 * only to the report.
 */
export async function* conllExport(
  db: Executor,
  scope: Scope,
  opened: OpenedExport,
  report: SkipReport,
): AsyncGenerator<string> {
  const read = (filter: PageFilter, after: number, limit: number) =>
    pageTextExportRows(db, scope, filter, after, limit);
  for await (const rows of opened.pages<TextExportRow>(read)) {
    let chunk = '';
    for (const row of rows) {
      const document = nerDocument(row, conllTag);
      const overlapping = flatSpans(document, 'keep-first').dropped.length;
      const { text, dropped } = conllDocument(document, { overlaps: 'keep-first' });
      report.add(row.id, 'overlapping span', overlapping);
      report.add(row.id, 'span without a token', dropped.length - overlapping);
      chunk += text;
    }
    yield chunk;
  }
}

/**
 * spaCy's document JSON, one per line: `text` and `ents` (code-point offsets, as Python counts).
 * `ents` cannot overlap, so a document with overlapping entities also lists every span under
 * `spans.sc` (spaCy's span groups), and nothing is lost. The task id (and status with
 * `status=all`) is under `_`, where spaCy keeps custom attributes.
 */
export async function* spacyExport(
  db: Executor,
  scope: Scope,
  opened: OpenedExport,
): AsyncGenerator<string> {
  const read = (filter: PageFilter, after: number, limit: number) =>
    pageTextExportRows(db, scope, filter, after, limit);
  for await (const rows of opened.pages<TextExportRow>(read)) {
    let chunk = '';
    for (const row of rows) {
      const document = nerDocument(row);
      const doc = toSpacyDoc(document, { overlaps: 'keep-first' });
      const spans =
        doc.ents.length < document.annotations.length
          ? {
              sc: [...document.annotations]
                .sort((a, b) => a.start - b.start || b.end - a.end)
                .map(({ start, end, label }) => ({ start, end, label, kb_id: '' })),
            }
          : undefined;
      const extra = opened.completedOnly
        ? { task_id: row.id }
        : { task_id: row.id, status: row.status };
      chunk += `${JSON.stringify({ ...doc, ...(spans ? { spans } : {}), _: extra })}\n`;
    }
    yield chunk;
  }
}

/** Joins several labels in one cell; the first that no category or choice contains is used. */
const SEPARATORS = ['|', ';', '/'];

/**
 * The classification CSV: `task_id, attachment, label, confidence`, a `taxonomies.<question>`
 * column per question of the selected tasks, and `status` with `status=all`. Cells a spreadsheet
 * would run as formulas are neutralised. Several labels are joined with `|` (or `;` or `/` when
 * some label contains `|`).
 */
export async function classificationCsvExport(
  db: Executor,
  scope: Scope,
  opened: OpenedExport,
  report: SkipReport,
): Promise<AsyncGenerator<string>> {
  // The header needs every question before the first row: one query over the selection.
  const outline = await categoryExportOutline(db, scope, opened.filter, SEPARATORS);
  const separator = SEPARATORS.find((candidate) => !outline.separatorsUsed.includes(candidate));
  return classificationRows(db, scope, opened, report, {
    questions: outline.questions,
    separator: separator ?? '|',
  });
}

async function* classificationRows(
  db: Executor,
  scope: Scope,
  opened: OpenedExport,
  report: SkipReport,
  options: { questions: string[]; separator: string },
): AsyncGenerator<string> {
  const withStatus = !opened.completedOnly;
  yield csvRow([...classificationCsvHeader(options), ...(withStatus ? ['status'] : [])]);
  const read = (filter: PageFilter, after: number, limit: number) =>
    pageCategoryExportRows(db, scope, filter, after, limit);
  for await (const rows of opened.pages<CategoryExportRow>(read)) {
    let chunk = '';
    for (const row of rows) {
      const record = {
        taskId: row.id,
        attachment: row.attachment ?? '',
        response: (row.response === null ? undefined : JSON.parse(row.response)) as
          CategorizationResponse | undefined,
        confidence: row.confidence ?? undefined,
      };
      let cells;
      try {
        cells = classificationCsvCells(record, options);
      } catch (error) {
        // Only when every separator is inside some label: the row cannot be written unambiguously.
        if (!isFormatError(error)) throw error;
        report.add(row.id, 'labels containing every separator');
        continue;
      }
      chunk += csvRow([...cells, ...(withStatus ? [row.status] : [])]);
    }
    yield chunk;
  }
}
