import type { ImageAnnotation } from '@quorum/core';

export type PointAnnotation = Extract<ImageAnnotation, { type: 'point' }>;

/**
 * How points form COCO keypoint objects: the category such objects belong to, the point labels in
 * keypoint order, and the skeleton as label pairs (a task's `geometries.point.connections`).
 */
export interface CocoKeypointSchema {
  category: string;
  labels: readonly string[];
  skeleton?: ReadonlyArray<readonly [string, string]>;
}

/**
 * Splits an image's points into keypoint objects and points that stay alone. Points whose label
 * is a keypoint are grouped by their links (an attribute whose value is another point's uuid, as
 * `connection_attribute` records them); an image with no links at all is one object when no label
 * repeats. A group in which a label repeats cannot be one COCO object, so its points stay alone,
 * as do points of other labels.
 */
export function groupKeypoints(
  points: readonly PointAnnotation[],
  schema: CocoKeypointSchema | undefined,
): { groups: PointAnnotation[][]; singles: PointAnnotation[] } {
  if (!schema) return { groups: [], singles: [...points] };
  const keypointLabels = new Set(schema.labels);
  const candidates = points.filter(
    (point) => point.label !== undefined && keypointLabels.has(point.label),
  );
  const singles = points.filter((point) => !candidates.includes(point));
  if (candidates.length === 0) return { groups: [], singles };

  const parent = candidates.map((_, index) => index);
  const find = (index: number): number => {
    while (parent[index] !== index) index = parent[index] = parent[parent[index]!]!;
    return index;
  };
  const byUuid = new Map<string, number>();
  candidates.forEach((point, index) => point.uuid !== undefined && byUuid.set(point.uuid, index));
  let links = 0;
  candidates.forEach((point, index) => {
    for (const value of Object.values(point.attributes ?? {})) {
      const other = typeof value === 'string' ? byUuid.get(value) : undefined;
      if (other === undefined || other === index) continue;
      links++;
      parent[find(index)] = find(other);
    }
  });
  const components = new Map<number, PointAnnotation[]>();
  if (links === 0) {
    components.set(0, candidates);
  } else {
    candidates.forEach((point, index) => {
      const root = find(index);
      components.set(root, [...(components.get(root) ?? []), point]);
    });
  }
  const groups: PointAnnotation[][] = [];
  for (const members of components.values()) {
    const labels = members.map((member) => member.label);
    if (new Set(labels).size === labels.length) groups.push(members);
    else singles.push(...members);
  }
  return { groups, singles };
}
