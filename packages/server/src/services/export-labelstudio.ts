import type { Scope } from '@quorum/core';
import {
  isFormatError,
  labelStudioConfigXml,
  parseLabelStudioConfig,
  toLabelStudioTask,
  type LabelStudioConfig,
  type LabelStudioTask,
} from '@quorum/formats';
import type { Executor } from '../db/executor';
import { pageExportRows, type ExportRow } from '../repositories/export-rows';
import type { OpenedExport } from './exports';
import type { SkipReport } from './export-support';
import { imageFactsOf, type StoredImages } from './image-sizes';

type Params = Record<string, unknown>;

const isObject = (value: unknown): value is Params =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The params a generated labeling config depends on, as a cache key. */
function configKey(type: string, params: Params): string {
  switch (type) {
    case 'imageannotation':
      return JSON.stringify([params.geometries, params.annotation_attributes]);
    case 'namedentityrecognition':
      return JSON.stringify(params.labels);
    case 'categorization':
      return JSON.stringify([
        params.categories,
        params.taxonomies,
        params.allow_multiple,
        params.attachment_type,
      ]);
    default: {
      const attachments = Array.isArray(params.attachments) ? params.attachments : [];
      return JSON.stringify([params.fields, (attachments[0] as Params | undefined)?.type]);
    }
  }
}

/**
 * The labeling config each task is written under: the one the project was created from, else
 * one written from the task's params (`labelStudioConfigXml`), cached while tasks share it.
 */
class Configs {
  #cache = new Map<string, LabelStudioConfig | undefined>();
  readonly #project: LabelStudioConfig | undefined;
  readonly #type: string;

  constructor(type: string, projectXml: string | null) {
    this.#type = type;
    this.#project = projectXml === null ? undefined : parseLabelStudioConfig(projectXml);
  }

  for(params: Params): LabelStudioConfig | undefined {
    if (this.#project) return this.#project;
    const key = configKey(this.#type, params);
    if (this.#cache.has(key)) return this.#cache.get(key);
    if (this.#cache.size >= 256) this.#cache.clear();
    let config: LabelStudioConfig | undefined;
    try {
      config = parseLabelStudioConfig(labelStudioConfigXml(this.#type, params).xml);
    } catch (error) {
      if (!isFormatError(error)) throw error;
    }
    this.#cache.set(key, config);
    return config;
  }
}

const hasAnnotations = (value: unknown) =>
  isObject(value) && Array.isArray(value.annotations) && value.annotations.length > 0;

/**
 * Label Studio's task list, one JSON array streamed: the content in `data` with
 * `quorum_task_id` (and `quorum_status` with `status=all`), the response as the annotation, the
 * pre-labels as the prediction. Image regions are in percent, so an image task with shapes needs
 * its size; without one its shapes are left out. What a task loses is listed in its
 * `meta.quorum_skipped` and counted in the report.
 */
export function labelStudioExport(
  db: Executor,
  scope: Scope,
  stored: StoredImages,
  opened: OpenedExport,
  report: SkipReport,
): AsyncGenerator<string> {
  // Parsed before the answer starts, so a bad stored config is an error, not a cut-off download.
  const configs = new Configs(opened.projectType, opened.labelStudioConfig);
  return labelStudioTasks(db, scope, stored, opened, report, configs);
}

async function* labelStudioTasks(
  db: Executor,
  scope: Scope,
  stored: StoredImages,
  opened: OpenedExport,
  report: SkipReport,
  configs: Configs,
): AsyncGenerator<string> {
  const isImage = opened.projectType === 'imageannotation';
  const read = (filter: OpenedExport['filter'], after: number, limit: number) =>
    pageExportRows(db, scope, filter, after, limit);
  let first = true;
  yield '[';
  for await (const rows of opened.pages<ExportRow>(read)) {
    const tasks = rows.map((row) => ({
      row,
      params: JSON.parse(row.params) as Params,
      metadata: JSON.parse(row.metadata) as Params,
      response: (row.response === null ? undefined : JSON.parse(row.response)) as
        Params | undefined,
    }));
    const facts = isImage
      ? await imageFactsOf(
          db,
          scope,
          stored,
          tasks.map(({ params, metadata }) => ({
            attachment: typeof params.attachment === 'string' ? params.attachment : null,
            width: metadata.image_width === undefined ? null : String(metadata.image_width),
            height: metadata.image_height === undefined ? null : String(metadata.image_height),
          })),
        )
      : undefined;
    let chunk = '';
    tasks.forEach(({ row, params, response }, index) => {
      const size = facts?.[index]?.size;
      const skipped: string[] = [];
      let source = { params, response, image: size };
      if (isImage && !size && (hasAnnotations(response) || hasAnnotations(params.hypothesis))) {
        skipped.push('the image size is unknown, so its shapes cannot be written in percent');
        report.add(row.id, 'task without image size');
        source = { params: { ...params, hypothesis: undefined }, response: undefined, image: size };
      }
      const config = configs.for(params);
      let task: LabelStudioTask | undefined;
      if (config)
        try {
          const converted = toLabelStudioTask(source, config);
          task = converted.task;
          skipped.push(...converted.dropped);
          report.add(row.id, 'no Label Studio control', converted.dropped.length);
        } catch (error) {
          if (!isFormatError(error)) throw error;
          skipped.push(error.message);
          report.add(row.id, 'task Label Studio cannot hold');
        }
      else {
        skipped.push('the task’s params give no Label Studio config');
        report.add(row.id, 'task without a Label Studio config');
      }
      task ??= { data: { [isImage ? 'image' : 'text']: params.attachment ?? params.text } };
      task.data.quorum_task_id = row.id;
      if (!opened.completedOnly) task.data.quorum_status = row.status;
      const written = skipped.length > 0 ? { ...task, meta: { quorum_skipped: skipped } } : task;
      chunk += `${first ? '' : ','}\n${JSON.stringify(written)}`;
      first = false;
    });
    yield chunk;
  }
  yield '\n]\n';
}
