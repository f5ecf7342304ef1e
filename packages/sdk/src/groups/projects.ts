import type { ScaleProject, ScaleTask } from '@quorum/core';
import { downloadOf, ndjsonBody, recordsOf, type Download, type NdjsonInput } from '../streams';
import type { Transport } from '../transport';
import type {
  AggregationMethod,
  ArchiveImportInput,
  ArchiveImportResult,
  CreateProjectInput,
  ExportedTask,
  ImportResult,
  ImportTasksInput,
  Member,
  Release,
  ReleaseQuery,
  ProjectExportQuery,
  ProjectSettings,
  ProjectSettingsChange,
  QualityReport,
  QualityReportQuery,
  Reaggregation,
  UpdateMemberInput,
} from '../types';

/** File bytes sent as they are. */
export type FileBody = Uint8Array | Blob | ReadableStream<Uint8Array>;

/**
 * A task file for `importTasks`: its text or bytes as they are, or records (create-task bodies,
 * Label Studio tasks) to send as JSON lines.
 */
export type ImportFile = FileBody | NdjsonInput;

const isFileBody = (file: ImportFile): file is FileBody | string =>
  typeof file === 'string' ||
  file instanceof Uint8Array ||
  file instanceof Blob ||
  file instanceof ReadableStream;

/** Projects: v1 (create, read, default parameters) and native (settings, quality, members, exports, imports). */
export class Projects {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Creates a project. */
  create(input: CreateProjectInput): Promise<ScaleProject> {
    return this.#t.json('projects.create', { json: input });
  }

  /** Every project (a bare array, as in Scale). */
  list(): Promise<ScaleProject[]> {
    return this.#t.json('projects.list');
  }

  /** A project by name. */
  get(name: string): Promise<ScaleProject> {
    return this.#t.json('projects.get', { params: { name } });
  }

  /** Records a new version of the default task parameters; `patch: true` merges into the latest. */
  setParams(
    name: string,
    params: Record<string, unknown> & { patch?: boolean },
  ): Promise<ScaleProject> {
    return this.#t.json('projects.setParams', { params: { name }, json: params });
  }

  /** Routing, quality and pay settings of a project (by name or id). */
  settings(project: string): Promise<ProjectSettings> {
    return this.#t.json('projects.settings', { params: { project } });
  }

  /** Changes the settings given, leaving the others. */
  changeSettings(project: string, change: ProjectSettingsChange): Promise<ProjectSettings> {
    return this.#t.json('projects.changeSettings', { params: { project }, json: change });
  }

  /** Recomputes the completed responses from their answers with `method`. */
  aggregate(project: string, method: AggregationMethod): Promise<Reaggregation> {
    return this.#t.json('projects.aggregate', { params: { project }, json: { method } });
  }

  /** The quality report: agreement, each annotator's reliability and confusion, disputed tasks. */
  quality(project: string, query: QualityReportQuery = {}): Promise<QualityReport> {
    return this.#t.json('projects.quality', { params: { project }, query });
  }

  /** Workers' standing on the project. */
  members(project: string): Promise<{ docs: Member[] }> {
    return this.#t.json('projects.members', { params: { project } });
  }

  /**
   * One page of claims given back on the project, newest first (skips with their reasons, and
   * what pauses and removals released); pass the previous page's `next` as `after`.
   */
  releases(
    project: string,
    query: ReleaseQuery = {},
  ): Promise<{ docs: Release[]; next: string | null }> {
    return this.#t.json('projects.releases', { params: { project }, query });
  }

  /** Reinstates, pauses, removes or re-rates a worker on the project. */
  changeMember(project: string, worker: string, change: UpdateMemberInput): Promise<Member> {
    return this.#t.json('projects.changeMember', { params: { project, worker }, json: change });
  }

  /** The project's tasks, one record at a time as the export streams in. */
  export(
    project: string,
    query: ProjectExportQuery & { format: 'jsonl' },
  ): AsyncGenerator<ExportedTask>;
  export(
    project: string,
    query: ProjectExportQuery & { format: 'scale' },
  ): AsyncGenerator<ScaleTask>;
  /** spaCy documents or Label Studio tasks, one at a time. */
  export(
    project: string,
    query: ProjectExportQuery & { format: 'spacy' | 'labelstudio' },
  ): AsyncGenerator<Record<string, unknown>>;
  async *export(
    project: string,
    query: ProjectExportQuery,
  ): AsyncGenerator<ExportedTask | ScaleTask | Record<string, unknown>> {
    yield* recordsOf<ExportedTask | ScaleTask>(
      await this.#t.open('projects.export', { params: { project }, query }),
    );
  }

  /**
   * The project's export as a byte stream, in any format (to save it as it comes): COCO is one
   * JSON document, YOLO and VOC are ZIP archives, CoNLL and CSV are text.
   */
  async exportStream(project: string, query: ProjectExportQuery): Promise<Download> {
    return downloadOf(await this.#t.open('projects.exportStream', { params: { project }, query }));
  }

  /**
   * Creates a task in the project for each row of a CSV, JSON Lines or Label Studio file, all or
   * nothing unless `skipBadRows`. Records (not text or bytes) are sent as JSON lines.
   */
  importTasks(project: string, file: ImportFile, query: ImportTasksInput): Promise<ImportResult> {
    const isRaw = isFileBody(file);
    const contentType =
      !isRaw || query.format === 'jsonl'
        ? 'application/x-ndjson'
        : query.format === 'labelstudio'
          ? 'application/json'
          : 'text/csv';
    return this.#t.json('projects.importTasks', {
      params: { project },
      query,
      raw: isRaw ? file : ndjsonBody(file),
      contentType,
    });
  }

  /** Creates an image task per image of a ZIP, its COCO, YOLO, VOC or Label Studio annotations as pre-labels. */
  importArchive(
    project: string,
    archive: FileBody,
    query: ArchiveImportInput = {},
  ): Promise<ArchiveImportResult> {
    return this.#t.json('projects.importArchive', {
      params: { project },
      query,
      raw: archive,
      contentType: 'application/zip',
    });
  }

  /** Creates a project from a Label Studio labeling config (XML), which it keeps. */
  fromLabelStudioConfig(name: string, config: string): Promise<ScaleProject> {
    return this.#t.json('projects.fromLabelStudioConfig', { json: { name, config } });
  }
}
