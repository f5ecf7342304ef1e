import {
  FormatError,
  cocoPrelabels,
  fromLabelStudioTask,
  imageLabels,
  parseVocXml,
  parseYoloClasses,
  parseYoloDataYaml,
  parseYoloLabels,
  type AnnotationFormat,
  type ArchiveDataset,
  type ImageSize,
} from '@quorum/formats';
import type { ImageAnnotation } from '@quorum/core';
import type { ProjectRow } from '../db/schema';
import { labelStudioConfigOf } from './imports';

/** One image of the archive as it will become a task. */
export interface PlannedImage {
  path: string;
  /** The task body without its attachment (the stored file's URL, once stored). */
  body: Record<string, unknown>;
  hasPrelabels: boolean;
}

export const basename = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const dirname = (path: string) => path.slice(0, path.lastIndexOf('/') + 1);

function textOf(data: Uint8Array, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new FormatError('is not UTF-8 text', { entry: path });
  }
}

function jsonOf(data: Uint8Array, path: string): unknown {
  try {
    return JSON.parse(textOf(data, path));
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw new FormatError(`is not valid JSON (${(error as Error).message})`, { entry: path });
  }
}

/** Whether a file name listed in an annotation file (a URL, a path, a name) is `path`. */
function names(listed: string, path: string): boolean {
  const listedName = basename(listed.split(/[?#]/)[0] ?? listed);
  let decoded = listedName;
  try {
    decoded = decodeURIComponent(listedName);
  } catch {
    // Keep it as written.
  }
  const name = basename(path);
  // Label Studio prefixes uploads with a hash: "/data/upload/1/8f2a1c-photo.jpg".
  return (
    listed === path ||
    path.endsWith(`/${listed}`) ||
    decoded === name ||
    decoded.endsWith(`-${name}`)
  );
}

/**
 * Each image of an archive as a task body: its pre-labels and size from its annotation file
 * (COCO, VOC, YOLO with its class list, Label Studio under the project's config), else its size
 * from its header. Labels that would be lost (annotations of an image not in the archive) are
 * refused, naming the file.
 */
export function planArchiveImages(
  dataset: ArchiveDataset,
  sizes: Map<string, ImageSize | undefined>,
  project: ProjectRow,
  options: { labels: 'predictions' | 'annotations' | 'none' },
): PlannedImage[] {
  const params = project.params as Record<string, unknown>;
  const projectLabels = imageLabels({
    geometries: (params.geometries ?? {}) as Parameters<typeof imageLabels>[0]['geometries'],
  });
  const labels = projectLabels.length > 0 ? projectLabels : undefined;
  const found = new Map<string, { annotations?: ImageAnnotation[]; size?: ImageSize }>();
  const byFile = (format: AnnotationFormat) =>
    dataset.annotationFiles.filter((file) => file.format === format);
  const imagesOf = (file: { path: string }) =>
    dataset.images.filter((image) => image.annotation?.path === file.path);

  for (const file of byFile('coco')) {
    const { images } = cocoPrelabels(jsonOf(file.data, file.path), {
      file: file.path,
      ...(labels ? { labels } : {}),
    });
    const paired = imagesOf(file);
    for (const coco of images) {
      const image = paired.find((candidate) => names(coco.fileName, candidate.path));
      if (!image) {
        if (coco.hypothesis.annotations.length > 0)
          throw new FormatError(
            `image ${coco.imageId} ("${coco.fileName}") has annotations but is not in the archive`,
            { entry: file.path },
          );
        continue;
      }
      found.set(image.path, {
        annotations: coco.hypothesis.annotations,
        size: { width: coco.width, height: coco.height },
      });
    }
  }

  for (const file of byFile('voc')) {
    const voc = parseVocXml(textOf(file.data, file.path), {
      file: file.path,
      ...(labels ? { labels } : {}),
    });
    const [image] = imagesOf(file);
    if (!image) {
      if (voc.hypothesis.annotations.length > 0)
        throw new FormatError(`describes "${voc.fileName}", which is not in the archive`, {
          entry: file.path,
        });
      continue;
    }
    found.set(image.path, {
      annotations: voc.hypothesis.annotations,
      ...(voc.width && voc.height ? { size: { width: voc.width, height: voc.height } } : {}),
    });
  }

  for (const file of byFile('yolo')) {
    const [image] = imagesOf(file);
    const text = textOf(file.data, file.path);
    if (!image) {
      if (text.trim() !== '')
        throw new FormatError('has YOLO labels but no image of the same name', {
          entry: file.path,
        });
      continue;
    }
    const size = sizes.get(image.path);
    if (!size)
      throw new FormatError(
        `its size cannot be read from its bytes (PNG, JPEG, GIF, WebP), and YOLO's coordinates (${file.path}) are fractions of it`,
        { entry: image.path },
      );
    const classes = yoloClasses(dataset, file.path);
    const { annotations } = parseYoloLabels(text, { ...size, classes, file: file.path });
    found.set(image.path, { annotations, size });
  }

  const labelStudioFiles = byFile('labelstudio');
  if (labelStudioFiles.length > 0) {
    const config = labelStudioConfigOf(project);
    for (const file of labelStudioFiles) {
      const document = jsonOf(file.data, file.path);
      const tasks = Array.isArray(document) ? document : [document];
      const paired = imagesOf(file);
      tasks.forEach((task: unknown, index) => {
        const data = (task as { data: Record<string, unknown> }).data;
        const link = data[config.object.dataKey];
        const image =
          typeof link === 'string'
            ? paired.find((candidate) => names(link, candidate.path))
            : undefined;
        let imported: ReturnType<typeof fromLabelStudioTask>;
        try {
          imported = fromLabelStudioTask(
            options.labels === 'none'
              ? { ...(task as object), annotations: undefined, predictions: undefined }
              : task,
            config,
            {
              entry: file.path,
              source: options.labels === 'annotations' ? 'annotations' : 'predictions',
              validate: false,
            },
          );
        } catch (error) {
          if (!(error instanceof FormatError)) throw error;
          throw new FormatError(
            `task ${index + 1}: ${error.detail}`,
            { entry: file.path },
            error.field,
          );
        }
        const annotations = (imported.response?.annotations ?? []) as ImageAnnotation[];
        if (!image) {
          if (annotations.length > 0)
            throw new FormatError(
              `task ${index + 1} (${JSON.stringify(link)}) has results but its image is not in the archive`,
              { entry: file.path },
            );
          return;
        }
        found.set(image.path, {
          ...(imported.response ? { annotations } : {}),
          ...(imported.image ? { size: imported.image } : {}),
        });
      });
    }
  }

  return dataset.images.map((image) => {
    const labelled = found.get(image.path);
    const size = labelled?.size ?? sizes.get(image.path);
    const metadata: Record<string, unknown> = { file_name: image.path };
    if (size) {
      metadata.image_width = size.width;
      metadata.image_height = size.height;
    }
    const hasPrelabels = labelled?.annotations !== undefined;
    return {
      path: image.path,
      body: {
        metadata,
        ...(hasPrelabels ? { hypothesis: { annotations: labelled.annotations } } : {}),
      },
      hasPrelabels,
    };
  });
}

/**
 * The class names for a YOLO label file: the class list (`classes.txt`, `obj.names`,
 * `data.yaml`) in the deepest folder that holds the label file; one list at that depth only.
 */
function yoloClasses(dataset: ArchiveDataset, labelPath: string): string[] {
  const candidates = dataset.classFiles.filter((file) => labelPath.startsWith(dirname(file.path)));
  const depth = Math.max(-1, ...candidates.map((file) => dirname(file.path).length));
  const closest = candidates.filter((file) => dirname(file.path).length === depth);
  if (closest.length === 0)
    throw new FormatError('no classes.txt, obj.names or data.yaml lists its classes', {
      entry: labelPath,
    });
  if (closest.length > 1)
    throw new FormatError(
      `several class lists could apply (${closest.map((file) => file.path).join(', ')}); keep one`,
      { entry: labelPath },
    );
  const file = closest[0]!;
  const text = textOf(file.data, file.path);
  return /\.ya?ml$/i.test(file.path)
    ? parseYoloDataYaml(text, file.path).names
    : parseYoloClasses(text);
}
