import { DomainError, type Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import { vocExport, yoloExport } from './export-archives';
import { cocoExport } from './export-coco';
import { labelStudioExport } from './export-labelstudio';
import { SkipReport } from './export-support';
import { classificationCsvExport, conllExport, spacyExport } from './export-text';
import { jsonlExport, scaleExport, type OpenedExport } from './exports';
import type { StoredImages } from './image-sizes';

export const EXPORT_FORMATS = [
  'jsonl',
  'scale',
  'coco',
  'yolo',
  'voc',
  'conll',
  'spacy',
  'csv',
  'labelstudio',
] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

interface FormatFacts {
  contentType: string;
  /** The downloaded file's extension. */
  extension: string;
  /** The project types the format can hold; every type when absent. */
  projectTypes?: readonly string[];
}

const IMAGES = ['imageannotation'];
const ENTITIES = ['namedentityrecognition'];

export const EXPORT_FORMAT_FACTS: Readonly<Record<ExportFormat, FormatFacts>> = {
  jsonl: { contentType: 'application/x-ndjson; charset=utf-8', extension: 'jsonl' },
  scale: { contentType: 'application/json; charset=utf-8', extension: 'json' },
  coco: { contentType: 'application/json; charset=utf-8', extension: 'json', projectTypes: IMAGES },
  yolo: { contentType: 'application/zip', extension: 'zip', projectTypes: IMAGES },
  voc: { contentType: 'application/zip', extension: 'zip', projectTypes: IMAGES },
  conll: { contentType: 'text/plain; charset=utf-8', extension: 'conll', projectTypes: ENTITIES },
  spacy: {
    contentType: 'application/x-ndjson; charset=utf-8',
    extension: 'jsonl',
    projectTypes: ENTITIES,
  },
  csv: {
    contentType: 'text/csv; charset=utf-8',
    extension: 'csv',
    projectTypes: ['categorization'],
  },
  labelstudio: {
    contentType: 'application/json; charset=utf-8',
    extension: 'json',
    projectTypes: ['imageannotation', 'namedentityrecognition', 'categorization', 'textcollection'],
  },
};

/** Refuses a format the project's task type has no form in, naming `format`. */
export function checkExportFormat(format: ExportFormat, opened: OpenedExport): void {
  const types = EXPORT_FORMAT_FACTS[format].projectTypes;
  if (types && !types.includes(opened.projectType))
    throw new DomainError(
      'invalid',
      `format "${format}" exports ${types.join(' or ')} projects; project "${opened.projectName}" is a ${opened.projectType} project`,
      'format',
    );
}

export interface StartedExport {
  body: AsyncIterable<string | Uint8Array>;
  /** What the format could not hold, complete once the body has been read to its end. */
  report: SkipReport;
}

/**
 * The export's body in `format`. Everything that can fail before the first byte (the format
 * against the project's type, a stored labeling config, the CSV's columns) fails here, so the
 * caller can still answer with an error.
 */
export async function startExport(
  db: Executor,
  scope: Scope,
  stored: StoredImages,
  opened: OpenedExport,
  format: ExportFormat,
  now: Date,
): Promise<StartedExport> {
  checkExportFormat(format, opened);
  const report = new SkipReport();
  const body = await (async (): Promise<AsyncIterable<string | Uint8Array>> => {
    switch (format) {
      case 'jsonl':
        return jsonlExport(opened.rows());
      case 'scale':
        return scaleExport(opened.views());
      case 'coco':
        return cocoExport(db, scope, stored, opened, report);
      case 'yolo':
        return yoloExport(db, scope, stored, opened, report, now);
      case 'voc':
        return vocExport(db, scope, stored, opened, report, now);
      case 'conll':
        return conllExport(db, scope, opened, report);
      case 'spacy':
        return spacyExport(db, scope, opened);
      case 'csv':
        return classificationCsvExport(db, scope, opened, report);
      case 'labelstudio':
        return labelStudioExport(db, scope, stored, opened, report);
    }
  })();
  return { body, report };
}
