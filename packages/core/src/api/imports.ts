import { z } from 'zod';

/** The task files `POST /api/v1/projects/{project}/import` reads. */
export const IMPORT_FORMATS = ['csv', 'jsonl', 'labelstudio'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** The most problems an import lists (it counts every skipped row). */
export const MAX_IMPORT_PROBLEMS = 1000;

const Flag = z.enum(['true', 'false']).default('false');

/** Which Label Studio results an import reads: the models' predictions, people's annotations, or neither. */
const LabelStudioResults = z
  .enum(['predictions', 'annotations', 'none'])
  .default('predictions')
  .describe(
    'labelstudio: which results to read: the first prediction (default), the first annotation ' +
      'not cancelled, or none',
  );

export const ImportTasksQuery = z
  .object({
    format: z.enum(IMPORT_FORMATS),
    skipBadRows: Flag.describe(
      'Import the good rows and list the bad ones instead of importing nothing',
    ),
    batch: z
      .string()
      .min(1)
      .optional()
      .describe('The batch every row goes to unless the row names one'),
    labels: LabelStudioResults,
    as: z
      .enum(['prelabels', 'responses'])
      .default('prelabels')
      .describe(
        'labelstudio: the results become pre-labels (`hypothesis`: image annotation and named ' +
          'entity tasks) or the completed response',
      ),
    text_offsets: z
      .enum(['codepoints', 'utf16'])
      .default('codepoints')
      .describe('labelstudio: the unit of text offsets (utf16 for older exports)'),
    delimiter: z.string().length(1).optional().describe('csv: the delimiter (default ",")'),
  })
  .strict();
export type ImportTasksOptions = z.infer<typeof ImportTasksQuery>;

export const ImportProblemSchema = z.object({
  line: z.number().int().describe('The line the row (or Label Studio task) starts on'),
  reason: z.string(),
});
export type ImportProblem = z.infer<typeof ImportProblemSchema>;

export const ImportResultSchema = z.object({
  created: z.number().int(),
  skipped: z.number().int().describe('Rows left out (skipBadRows)'),
  problems: z
    .array(ImportProblemSchema)
    .describe(`Why rows were left out, the first ${MAX_IMPORT_PROBLEMS}`),
});
export type ImportResult = z.infer<typeof ImportResultSchema>;

/** `POST /api/v1/projects/from-labelstudio-config`. */
export const LabelStudioProjectBody = z
  .object({
    name: z.string().min(1).max(200),
    config: z
      .string()
      .min(1)
      .max(1024 * 1024)
      .describe('The labeling config (XML); DOCTYPE and ENTITY declarations are refused'),
  })
  .strict();

export const ArchiveImportQuery = z
  .object({
    batch: z.string().min(1).optional().describe('The batch every task goes to'),
    labels: LabelStudioResults,
  })
  .strict();

export const ArchiveImportResultSchema = z.object({
  created: z.number().int().describe('Tasks created, one per image'),
  task_ids: z.array(z.string()),
  prelabeled: z.number().int().describe('Tasks created with pre-labels (`hypothesis`)'),
  formats: z
    .array(z.enum(['coco', 'yolo', 'voc', 'labelstudio']))
    .describe('The annotation formats found'),
  ignored: z.array(z.string()).describe('Entries that are neither images nor annotation files'),
});
export type ArchiveImportResult = z.infer<typeof ArchiveImportResultSchema>;
