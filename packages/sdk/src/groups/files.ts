import { downloadOf, type Download } from '../streams';
import type { Transport } from '../transport';
import type { FileFields, FileImportInput, FileRecord } from '../types';

/** Files (v1): upload, import by URL, the record and the bytes. */
export class Files {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /**
   * Uploads a file as multipart form data. A Blob is streamed (Node's `fs.openAsBlob` reads a
   * large file from disk as it is sent).
   */
  upload(
    file: Blob | Uint8Array | string,
    options: FileFields & { filename?: string } = {},
  ): Promise<FileRecord> {
    const form = new FormData();
    // The server checks the fields before it stores the bytes, so they go first.
    if (options.project_name) form.append('project_name', options.project_name);
    if (options.display_name) form.append('display_name', options.display_name);
    if (options.reference_id) form.append('reference_id', options.reference_id);
    if (options.metadata) form.append('metadata', JSON.stringify(options.metadata));
    const blob = file instanceof Blob ? file : new Blob([file]);
    form.append('file', blob, options.filename ?? 'file');
    return this.#t.json('files.upload', { raw: form });
  }

  /** Imports a file from a URL (the server fetches it through its egress guard). */
  import(input: FileImportInput): Promise<FileRecord> {
    return this.#t.json('files.import', { json: input });
  }

  /** A file's record. */
  get(id: string): Promise<FileRecord> {
    return this.#t.json('files.get', { params: { id } });
  }

  /** A file's bytes, streamed, with the type the server decided. */
  async content(id: string): Promise<Download> {
    return downloadOf(await this.#t.open('files.content', { params: { id } }));
  }
}
