import fastifyMultipart from '@fastify/multipart';
import { z } from 'zod';
import { DomainError, IdParams, JsonObject, type Scope } from '@quorum/core';
import type { AppContext } from '../../context';
import { principalOf } from '../../http/auth';
import { inTransaction } from '../../db/executor';
import { presentFile } from '../../presenters/files';
import {
  assertFileFieldsUsable,
  contentHeaders,
  filenameFromUrl,
  recordFile,
  requireFile,
  storeAsset,
  type FileFields,
  type StoredAsset,
} from '../../services/files';
import type { Api } from '../types';

const TEXT_FIELD = z.string().trim().min(1).max(1000);

const ImportBody = z
  .object({
    file_url: z.string().min(1).max(8192),
    project_name: TEXT_FIELD.optional(),
    display_name: TEXT_FIELD.optional(),
    reference_id: TEXT_FIELD.optional(),
    // An object, or a JSON string as the multipart upload takes it (read the same way there).
    metadata: z.union([JsonObject, z.string()]).optional(),
  })
  .strict();

const UPLOAD_FIELDS = new Set(['project_name', 'display_name', 'reference_id', 'metadata']);

/** @fastify/multipart's limit errors, in the API's words; the file size limit is handled apart. */
const MULTIPART_LIMITS: Record<string, () => DomainError> = {
  FST_FILES_LIMIT: () => new DomainError('invalid', 'file: send exactly one file part', 'file'),
  FST_PARTS_LIMIT: () => new DomainError('invalid', 'Too many form fields'),
  FST_FIELDS_LIMIT: () => new DomainError('invalid', 'Too many form fields'),
};

/** Scale's client sends metadata as a JSON string; anything unreadable is dropped, as Scale does. */
function readMetadata(value: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(value) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export async function fileRoutes(api: Api, ctx: AppContext) {
  const db = ctx.database.db;
  const tags = ['v1 files'];
  const limit = ctx.config.fileLimit;
  await api.register(fastifyMultipart, {
    limits: { fileSize: limit, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 25 },
  });

  /** Records a stored asset, deleting the bytes again if the row cannot be written. */
  const record = async (scope: Scope, asset: StoredAsset, filename: string, fields: FileFields) => {
    try {
      return await inTransaction(db, (tx) =>
        recordFile(tx, scope, asset, filename, fields, ctx.now()),
      );
    } catch (error) {
      await ctx.assets.delete(asset.storageKey).catch(() => undefined);
      throw error;
    }
  };

  api.post(
    '/v1/files/upload',
    {
      schema: {
        tags,
        summary:
          'Upload a file (multipart: file, and optional project_name, display_name, reference_id, metadata)',
        consumes: ['multipart/form-data'],
      },
    },
    async (request) => {
      if (!request.isMultipart()) {
        throw new DomainError(
          'unsupported_media_type',
          'Send the file as multipart/form-data with a "file" part',
        );
      }
      const scope = principalOf(request);
      const fields: FileFields = {};
      let stored: { asset: StoredAsset; filename: string } | undefined;
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file') {
            if (part.fieldname !== 'file' || stored) {
              part.file.resume();
              throw new DomainError(
                'invalid',
                `${part.fieldname}: only one file, in the "file" part`,
                part.fieldname,
              );
            }
            await assertFileFieldsUsable(db, scope, fields);
            const asset = await storeAsset(ctx.assets, scope, part.file, ctx.now());
            stored = { asset, filename: part.filename };
            if (part.file.truncated)
              throw new DomainError(
                'payload_too_large',
                `file: larger than ${limit} bytes`,
                'file',
              );
            continue;
          }
          const value = String(part.value);
          if (!UPLOAD_FIELDS.has(part.fieldname)) {
            throw new DomainError(
              'invalid',
              `${part.fieldname}: unknown field "${part.fieldname}"`,
              part.fieldname,
            );
          }
          if (part.fieldname === 'metadata') fields.metadata = readMetadata(value);
          else if (value.trim() !== '') {
            const parsed = TEXT_FIELD.safeParse(value);
            if (!parsed.success)
              throw new DomainError(
                'invalid',
                `${part.fieldname}: must be at most 1000 characters`,
                part.fieldname,
              );
            if (part.fieldname === 'project_name') fields.projectName = parsed.data;
            if (part.fieldname === 'display_name') fields.displayName = parsed.data;
            if (part.fieldname === 'reference_id') fields.referenceId = parsed.data;
          }
        }
      } catch (error) {
        if (stored) await ctx.assets.delete(stored.asset.storageKey).catch(() => undefined);
        const code = (error as { code?: unknown }).code;
        if (code === 'FST_REQ_FILE_TOO_LARGE') {
          throw new DomainError('payload_too_large', `file: larger than ${limit} bytes`, 'file');
        }
        const limitError = typeof code === 'string' ? MULTIPART_LIMITS[code] : undefined;
        throw limitError ? limitError() : error;
      }
      if (!stored) throw new DomainError('invalid', 'file: a "file" part is required', 'file');
      const file = await record(scope, stored.asset, stored.filename, fields);
      return presentFile(file, ctx.config.publicUrl);
    },
  );

  api.post(
    '/v1/files/import',
    {
      schema: {
        tags,
        summary: 'Import a file from a URL (fetched through the egress guard)',
        body: ImportBody,
      },
    },
    async (request) => {
      const scope = principalOf(request);
      const body = request.body;
      const fields: FileFields = {
        projectName: body.project_name,
        displayName: body.display_name,
        referenceId: body.reference_id,
        metadata: typeof body.metadata === 'string' ? readMetadata(body.metadata) : body.metadata,
      };
      await assertFileFieldsUsable(db, scope, fields);
      const response = await ctx.egress.request(body.file_url, {
        timeoutMs: 60_000,
        maxBytes: limit,
      });
      if (response.status < 200 || response.status > 299) {
        response.body.resume();
        throw new DomainError(
          'invalid',
          `file_url: the server answered ${response.status}`,
          'file_url',
        );
      }
      // Nothing that can throw may run between storing and recording: record owns the cleanup.
      const filename = filenameFromUrl(response.url);
      const asset = await storeAsset(ctx.assets, scope, response.body, ctx.now());
      const file = await record(scope, asset, filename, fields);
      return presentFile(file, ctx.config.publicUrl);
    },
  );

  api.get(
    '/v1/files/:id',
    { schema: { tags, summary: "A file's record", params: IdParams } },
    async (request) =>
      presentFile(
        await requireFile(db, principalOf(request), request.params.id),
        ctx.config.publicUrl,
      ),
  );

  api.get(
    '/v1/files/:id/content',
    {
      // Annotators load their tasks' images from here (web app, session cookie).
      config: { access: 'member' },
      schema: {
        tags,
        summary: "A file's bytes, with the type the server decided",
        description:
          'Operators and members of the organization (annotators load task media from here).',
        params: IdParams,
      },
    },
    async (request, reply) => {
      const file = await requireFile(db, principalOf(request), request.params.id);
      const stored = await ctx.assets.get(file.storage_key);
      if (!stored)
        throw new DomainError('not_found', `File ${JSON.stringify(file.id)} has no stored content`);
      return reply.headers(contentHeaders(file)).send(stored.body);
    },
  );
}
