import { Readable } from 'node:stream';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { principalOf } from '../../http/auth';
import { EXPORT_FORMATS, EXPORT_FORMAT_FACTS, startExport } from '../../services/export-formats';
import { openExport } from '../../services/exports';
import type { Api } from '../types';

/** Streamed exports of a project's tasks in the formats the field uses. */
export function exportRoutes(api: Api, ctx: AppContext) {
  const db = ctx.database.db;
  const stored = { assets: ctx.assets, publicUrl: ctx.config.publicUrl };
  api.get(
    '/api/v1/projects/:project/export',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['exports'],
        summary: 'A project’s tasks in a training-data format, streamed',
        description:
          '`jsonl`: one task per line with params, response, consensus method and confidence, and ' +
          'with `answers=true` every annotator’s answer; `scale`: a JSON array of tasks exactly as ' +
          '`GET /v1/task/{id}` shows them. Image projects: `coco` (one JSON document), `yolo` and ' +
          '`voc` (ZIP archives of label files). Named-entity projects: `conll` (CoNLL-2003, IOB2) ' +
          'and `spacy` (spaCy document JSON, one per line). Categorization projects: `csv`. ' +
          '`labelstudio`: Label Studio’s task list with annotations and predictions. Completed ' +
          'tasks only unless `status=all`. What a format cannot hold is counted in the file ' +
          '(COCO `info.skipped`, `skipped.json` in a ZIP, Label Studio `meta.quorum_skipped`) and ' +
          'in the `X-Quorum-Skipped` trailer. Memory stays bounded however large the project: ' +
          'tasks are read a page at a time.',
        params: z.object({ project: z.string().min(1).describe('The project’s name or id') }),
        querystring: z
          .object({
            format: z.enum(EXPORT_FORMATS),
            status: z.enum(['completed', 'all']).default('completed'),
            batch: z.string().min(1).optional(),
            answers: z.enum(['true', 'false']).default('false'),
          })
          .strict(),
      },
    },
    async (request, reply) => {
      const { format, status, batch, answers } = request.query;
      const scope = principalOf(request);
      const opened = await openExport(db, scope, {
        project: request.params.project,
        batch,
        completedOnly: status === 'completed',
        answers: answers === 'true',
      });
      const { body, report } = await startExport(db, scope, stored, opened, format, ctx.now());
      const { contentType, extension } = EXPORT_FORMAT_FACTS[format];
      reply.header('content-type', contentType);
      reply.header(
        'content-disposition',
        `attachment; filename="${opened.projectName.replace(/[^\w.-]+/g, '_')}-${format}.${extension}"`,
      );
      // Sent after the body, when the count is known; the file itself says so too where it can.
      reply.trailer('x-quorum-skipped', async () => JSON.stringify(report.summary()));
      return reply.send(Readable.from(body));
    },
  );
}
