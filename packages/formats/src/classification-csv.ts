import type { CategorizationResponse } from '@quorum/core';
import { csvRow, type CsvValue } from './csv-write';
import { FormatError } from './errors';

/** A categorization task as the classification CSV sees it. */
export interface ClassificationRecord {
  taskId: string;
  /** The URL, or the text itself for text tasks. */
  attachment: string;
  /** The answer; an unanswered task has empty label cells. */
  response?: CategorizationResponse | undefined;
  /** The consensus confidence (0–1), when the answer came from several annotators. */
  confidence?: number | undefined;
}

export interface ClassificationCsvOptions {
  /** `taxonomies` questions, each written to its own `taxonomies.<question>` column. */
  questions?: readonly string[];
  /** Between several labels of one cell (default `|`). */
  separator?: string;
}

/** The header: task_id, attachment, label, confidence, then one column per taxonomy question. */
export function classificationCsvHeader(options: ClassificationCsvOptions = {}): string[] {
  return [
    'task_id',
    'attachment',
    'label',
    'confidence',
    ...(options.questions ?? []).map((question) => `taxonomies.${question}`),
  ];
}

function joinLabels(
  labels: string | readonly string[] | undefined,
  separator: string,
  taskId: string,
): string | undefined {
  if (labels === undefined) return undefined;
  const list = typeof labels === 'string' ? [labels] : labels;
  const clash = list.find((label) => label.includes(separator));
  if (clash !== undefined)
    throw new FormatError(
      `task ${taskId}: label ${JSON.stringify(clash)} contains the separator ${JSON.stringify(separator)}; choose another separator`,
      {},
      'separator',
    );
  return list.join(separator);
}

/** One task's cells, in header order; multiple labels are joined with the separator. */
export function classificationCsvCells(
  record: ClassificationRecord,
  options: ClassificationCsvOptions = {},
): CsvValue[] {
  const separator = options.separator ?? '|';
  const taxonomies = record.response?.taxonomies ?? {};
  return [
    record.taskId,
    record.attachment,
    joinLabels(record.response?.category, separator, record.taskId),
    record.confidence,
    ...(options.questions ?? []).map((question) =>
      joinLabels(
        Object.hasOwn(taxonomies, question) ? taxonomies[question] : undefined,
        separator,
        record.taskId,
      ),
    ),
  ];
}

/** The classification CSV (formulas neutralised, CRLF records), one record per chunk. */
export function* writeClassificationCsv(
  records: Iterable<ClassificationRecord>,
  options: ClassificationCsvOptions = {},
): Generator<string> {
  yield csvRow(classificationCsvHeader(options));
  for (const record of records) yield csvRow(classificationCsvCells(record, options));
}
