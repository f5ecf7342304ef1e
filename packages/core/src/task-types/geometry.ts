import { z } from 'zod';
import { JsonObjectValue, NonBlankString, type Problem } from './validation';

/** The annotation shapes Quorum draws and accepts. Cuboids are not supported yet. */
export const GEOMETRY_TYPES = ['box', 'polygon', 'line', 'point', 'ellipse'] as const;
export type GeometryType = (typeof GEOMETRY_TYPES)[number];

/** A point in image pixels; may fall outside the image when the task allows padding. */
export const Vertex = z.strictObject({ x: z.number(), y: z.number() });

const annotationCommon = {
  /** Stable id; optional in pre-labels, unique within a response when given. */
  uuid: NonBlankString.optional(),
  label: z.string().optional(),
  attributes: JsonObjectValue.optional(),
};

/**
 * `left/top/width/height` describe the unrotated box; with `can_rotate`, `rotation` is clockwise in
 * radians and `vertices` are its four corners.
 */
const BoxAnnotation = z.strictObject({
  type: z.literal('box'),
  ...annotationCommon,
  left: z.number(),
  top: z.number(),
  width: z.number().nonnegative(),
  height: z.number().nonnegative(),
  rotation: z.number().optional(),
  vertices: z.array(Vertex).length(4).optional(),
});

/** Vertices in drawing order, clockwise or not. */
const PolygonAnnotation = z.strictObject({
  type: z.literal('polygon'),
  ...annotationCommon,
  vertices: z.array(Vertex).min(1),
});

const LineAnnotation = z.strictObject({
  type: z.literal('line'),
  ...annotationCommon,
  vertices: z.array(Vertex).min(1),
});

const PointAnnotation = z.strictObject({
  type: z.literal('point'),
  ...annotationCommon,
  x: z.number(),
  y: z.number(),
});

/** The four extremal points of a possibly rotated ellipse. */
const EllipseAnnotation = z.strictObject({
  type: z.literal('ellipse'),
  ...annotationCommon,
  vertices: z.array(Vertex).length(4),
});

/** One annotation of an `imageannotation` response. */
export const ImageAnnotationSchema = z.discriminatedUnion('type', [
  BoxAnnotation,
  PolygonAnnotation,
  LineAnnotation,
  PointAnnotation,
  EllipseAnnotation,
]);
export type ImageAnnotation = z.output<typeof ImageAnnotationSchema>;

function findDuplicateUuid(annotations: readonly ImageAnnotation[]): Problem | undefined {
  const seen = new Set<string>();
  for (const [index, annotation] of annotations.entries()) {
    if (annotation.uuid === undefined) continue;
    if (seen.has(annotation.uuid)) {
      return {
        path: ['annotations', index, 'uuid'],
        message: `duplicate uuid ${JSON.stringify(annotation.uuid)}`,
      };
    }
    seen.add(annotation.uuid);
  }
  return undefined;
}

/**
 * An `imageannotation` response, and the shape of its pre-labels (`hypothesis`,
 * `base_annotations`). `links` are kept as given.
 */
export const ImageAnnotationResponseSchema = z
  .strictObject({
    annotations: z.array(ImageAnnotationSchema),
    links: z.array(JsonObjectValue).optional(),
    global_attributes: JsonObjectValue.optional(),
  })
  .superRefine((response, ctx) => {
    const problem = findDuplicateUuid(response.annotations);
    if (problem)
      ctx.addIssue({ code: 'custom', message: problem.message, path: [...problem.path] });
  });
export type ImageAnnotationResponse = z.output<typeof ImageAnnotationResponseSchema>;

/** Read-only shapes drawn under the labeler's work: response format, `type` optional. */
export const LayersSchema = z.strictObject({
  boxes: z.array(BoxAnnotation.extend({ type: z.literal('box').optional() })).optional(),
  lines: z.array(LineAnnotation.extend({ type: z.literal('line').optional() })).optional(),
  polygons: z.array(PolygonAnnotation.extend({ type: z.literal('polygon').optional() })).optional(),
  /** Only displayed, never edited, so kept as given until cuboids are supported. */
  cuboids: z.array(JsonObjectValue).optional(),
});
