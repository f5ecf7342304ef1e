import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  ArchiveImportQuery,
  ArchiveImportResultSchema,
  DomainError,
  ImportResultSchema,
  ImportTasksQuery,
  LabelStudioProjectBody,
  type ImportFormat,
} from '@quorum/core';
import type { AppContext } from '../../context';
import { principalOf } from '../../http/auth';
import { inTransaction } from '../../db/executor';
import { presentProject } from '../../presenters/scale';
import { importArchive } from '../../services/archive-import';
import type { Effects } from '../../services/effects';
import { createLabelStudioProject, importTasks } from '../../services/imports';
import type { Api } from '../types';

const ProjectParams = z.object({ project: z.string().min(1).describe('The project’s name or id') });

/** The media types each import format is sent as. */
const MEDIA_TYPES: Record<ImportFormat, string[]> = {
  csv: ['text/csv', 'text/plain'],
  jsonl: ['application/x-ndjson', 'application/jsonl'],
  labelstudio: ['application/json', 'application/x-ndjson'],
};
const ZIP_TYPES = ['application/zip', 'application/x-zip-compressed', 'application/octet-stream'];

const mediaTypeOf = (header: string | undefined) =>
  (header ?? '').split(';')[0]!.trim().toLowerCase();

/** The whole body, refused with 413 as soon as it passes `limit` bytes. */
async function readWhole(body: Readable, declared: string | undefined, limit: number) {
  const tooLarge = () =>
    new DomainError(
      'payload_too_large',
      `body: the archive is larger than ${limit} bytes, the most this server accepts (QUORUM_ARCHIVE_LIMIT)`,
      'body',
    );
  if (declared !== undefined && Number(declared) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks, size));
}

/** Imports of task files, Label Studio configs and image archives into a project. */
export async function importRoutes(api: Api, ctx: AppContext, effects: Effects) {
  const db = ctx.database.db;
  const tags = ['imports'];

  api.post(
    '/api/v1/projects/from-labelstudio-config',
    {
      schema: {
        tags,
        summary: 'Create a project from a Label Studio labeling config',
        description:
          'Image with RectangleLabels, PolygonLabels, KeyPointLabels (per-region Choices and ' +
          'TextArea become annotation attributes) → imageannotation; Text with Labels → ' +
          'namedentityrecognition; Choices → categorization; TextArea → textcollection. Any ' +
          'other tag is refused by name and line; DOCTYPE and ENTITY declarations are refused. ' +
          'The config is kept, so Label Studio tasks import under its control names.',
        body: LabelStudioProjectBody,
      },
    },
    async (request) => {
      const view = await inTransaction(db, (tx) =>
        createLabelStudioProject(tx, principalOf(request), request.body, ctx.now()),
      );
      return presentProject(view.project, view.versions);
    },
  );

  // The bodies below are files, read as they stream in rather than parsed by Fastify.
  await api.register(async (plugin) => {
    const files = plugin.withTypeProvider<ZodTypeProvider>();
    const types = [...new Set([...Object.values(MEDIA_TYPES).flat(), ...ZIP_TYPES])];
    for (const type of types) {
      if (files.hasContentTypeParser(type)) files.removeContentTypeParser(type);
      files.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
    }

    files.post(
      '/api/v1/projects/:project/import',
      {
        schema: {
          tags,
          summary: 'Create tasks from a CSV, JSON Lines or Label Studio file, all or nothing',
          description:
            'The file is the body: `format=csv` (text/csv; columns named after create-task ' +
            'fields, see docs/formats.md), `jsonl` (application/x-ndjson; one create-task body a ' +
            'line) or `labelstudio` (application/json: an export’s task array; or ' +
            'application/x-ndjson, one task a line). The task type is the project’s. Rows are ' +
            'streamed and created in one transaction: the first bad row is answered 400 naming ' +
            'its line and nothing is created, unless `skipBadRows=true`, when the good rows are ' +
            'created and the bad ones listed. Label Studio results become pre-labels ' +
            '(`hypothesis`, image and named-entity tasks) or, with `as=responses`, the response; ' +
            'their image size goes to `metadata.image_width` / `image_height`.',
          params: ProjectParams,
          querystring: ImportTasksQuery,
          consumes: [...new Set(Object.values(MEDIA_TYPES).flat())],
          response: { 200: ImportResultSchema },
        },
      },
      async (request) => {
        const { format } = request.query;
        const contentType = mediaTypeOf(request.headers['content-type']);
        if (!MEDIA_TYPES[format].includes(contentType))
          throw new DomainError(
            'unsupported_media_type',
            `Send a ${format} file as Content-Type: ${MEDIA_TYPES[format].join(' or ')}`,
          );
        const principal = principalOf(request);
        return inTransaction(db, (tx) =>
          importTasks(
            tx,
            principal,
            {
              ...request.query,
              project: request.params.project,
              contentType,
              body: request.body as Readable,
            },
            { effects, now: ctx.now },
          ),
        );
      },
    );

    files.post(
      '/api/v1/projects/:project/import-archive',
      {
        bodyLimit: ctx.config.archiveLimit,
        schema: {
          tags,
          summary: 'Create image tasks from a ZIP of images and their annotations, all or nothing',
          description:
            'The ZIP is the body (application/zip, at most QUORUM_ARCHIVE_LIMIT bytes). Each ' +
            'image (found by its bytes) is stored as a file and becomes an imageannotation task; ' +
            'its annotations in a COCO JSON, YOLO text (with classes.txt, obj.names or ' +
            'data.yaml), Pascal VOC XML or Label Studio JSON file become its pre-labels ' +
            '(`hypothesis`), its size `metadata.image_width` / `image_height`. Entries that climb ' +
            'out with `..`, absolute paths, links, and archives past the caps on entries, size or ' +
            'compression ratio are refused by name; if anything fails nothing is kept.',
          params: ProjectParams,
          querystring: ArchiveImportQuery,
          consumes: ['application/zip'],
          response: { 200: ArchiveImportResultSchema },
        },
      },
      async (request) => {
        if (!ZIP_TYPES.includes(mediaTypeOf(request.headers['content-type'])))
          throw new DomainError(
            'unsupported_media_type',
            'Send the archive as Content-Type: application/zip',
          );
        const bytes = await readWhole(
          request.body as Readable,
          request.headers['content-length'],
          request.routeOptions.bodyLimit ?? ctx.config.archiveLimit,
        );
        return importArchive(
          { db, assets: ctx.assets, effects, now: ctx.now },
          principalOf(request),
          bytes,
          { project: request.params.project, ...request.query },
        );
      },
    );
  });
}
