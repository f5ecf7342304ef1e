import { FormatError } from './errors';

/** What a YOLO `data.yaml` says: class names and the split folders. */
export interface YoloDataset {
  names: string[];
  path?: string;
  train?: string;
  val?: string;
  test?: string;
}

/**
 * A YAML double-quoted scalar. JSON strings are that already; characters YAML 1.1 readers (PyYAML,
 * which Ultralytics uses) take for line breaks or refuse as unprintable are escaped as well.
 */
const quoted = (text: string) =>
  JSON.stringify(text).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/**
 * A YOLO (Ultralytics) `data.yaml`: `names` as an index → name map, every string double-quoted
 * (JSON strings are YAML double-quoted scalars), so no class name can break the file.
 */
export function yoloDataYaml(dataset: YoloDataset): string {
  const lines: string[] = [];
  for (const key of ['path', 'train', 'val', 'test'] as const) {
    const value = dataset[key];
    if (value !== undefined) lines.push(`${key}: ${quoted(value)}`);
  }
  lines.push(`nc: ${dataset.names.length}`, 'names:');
  dataset.names.forEach((name, index) => lines.push(`  ${index}: ${quoted(name)}`));
  return `${lines.join('\n')}\n`;
}

function scalar(raw: string, line: number, file: string | undefined): string {
  const text = raw.trim();
  if (text.startsWith('"')) {
    try {
      return JSON.parse(text) as string;
    } catch {
      throw new FormatError('a double-quoted value uses escapes this reader does not know', {
        file,
        line,
      });
    }
  }
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2)
      throw new FormatError('a single-quoted value is never closed', { file, line });
    return text.slice(1, -1).replaceAll("''", "'");
  }
  // A plain scalar ends at a comment.
  return text.replace(/\s+#.*$/, '');
}

function flowList(raw: string, line: number, file: string | undefined): string[] {
  const inner = raw.trim().slice(1, -1);
  const items: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let at = 0; at < inner.length; at++) {
    const char = inner[at]!;
    if (quote) {
      current += char;
      if (char === '\\' && quote === '"') current += inner[++at] ?? '';
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
      current += char;
    } else if (char === ',') {
      items.push(scalar(current, line, file));
      current = '';
    } else {
      current += char;
    }
  }
  if (quote) throw new FormatError('a quoted name in the list is never closed', { file, line });
  if (current.trim() !== '') items.push(scalar(current, line, file));
  return items;
}

/**
 * Reads the parts of a YOLO `data.yaml` an import needs (`names` as a list, a flow list or an
 * index map; `path`, `train`, `val`, `test`); other keys, and blocks under them, are ignored.
 */
export function parseYoloDataYaml(text: string, file?: string): YoloDataset {
  const dataset: YoloDataset = { names: [] };
  const indexed = new Map<number, string>();
  let inNames = false;
  let sawNames = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '' || raw.trim().startsWith('#')) return;
    const indented = /^\s/.test(raw);
    if (indented) {
      if (!inNames) return;
      const item = /^\s*-\s*(.*)$/s.exec(raw);
      const entry = /^\s*(\d+)\s*:\s*(.*)$/s.exec(raw);
      if (item) dataset.names.push(scalar(item[1]!, line, file));
      else if (entry) indexed.set(Number(entry[1]), scalar(entry[2]!, line, file));
      else throw new FormatError('expected "- name" or "N: name" under names', { file, line });
      return;
    }
    inNames = false;
    const pair = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/s.exec(raw);
    if (!pair) return;
    const [, key, value = ''] = pair;
    if (key === 'names') {
      sawNames = true;
      if (value.trim() === '' || value.trim().startsWith('#')) inNames = true;
      else if (value.trim().startsWith('['))
        dataset.names = flowList(value.replace(/\s+#.*$/, ''), line, file);
      else throw new FormatError('names must be a list or an index map', { file, line });
    } else if (key === 'path' || key === 'train' || key === 'val' || key === 'test') {
      dataset[key] = scalar(value, line, file);
    }
  });
  if (indexed.size > 0) {
    const names: string[] = [];
    for (let at = 0; at < indexed.size; at++) {
      const name = indexed.get(at);
      if (name === undefined) throw new FormatError(`names has no class ${at}`, { file });
      names.push(name);
    }
    dataset.names = names;
  }
  if (!sawNames) throw new FormatError('has no names', { file });
  return dataset;
}
