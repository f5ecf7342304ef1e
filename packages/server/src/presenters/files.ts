import type { FileRow } from '../db/schema';

/** A file as Scale's clients read it (`id`, `attachment_url`) plus what we know of it. */
export function presentFile(file: FileRow, publicUrl: string) {
  return {
    id: file.id,
    attachment_url: `scaledata://${file.organization_id}/${file.id}`,
    download_url: `${publicUrl}/v1/files/${file.id}/content`,
    created_at: file.created_at.toISOString(),
    updated_at: file.created_at.toISOString(),
    mime_type: file.content_type,
    size: file.size,
    sha256: file.sha256,
    filename: file.filename,
    project_names: file.project_name ? [file.project_name] : [],
    ...(file.display_name ? { display_name: file.display_name } : {}),
    ...(file.reference_id ? { reference_id: file.reference_id } : {}),
    metadata: file.metadata,
  };
}
