import { parseCreateTaskBody } from '@quorum/core';
import { checkCsvHeader, readCsvRecords, rowOf, type CsvOptions } from './csv';
import { FormatError, inFile } from './errors';
import { readJsonLines, type JsonLinesOptions } from './jsonl';
import type { TextSource } from './text-stream';

/** A create-task body read from a row, with the line it came from. */
export interface TaskRow {
  line: number;
  body: Record<string, unknown>;
}

export interface TaskRowOptions {
  /** The task type every row creates (`imageannotation`, `categorization`, …). */
  type: string;
  /** Body fields every row starts from (geometries, labels, project…); a row's cells win. */
  defaults?: Record<string, unknown>;
  /** Check each body with core's create-task rules (default true). */
  validate?: boolean;
}

type Conversion = 'text' | 'json' | 'number' | 'boolean' | 'list';

interface Column {
  name: string;
  path: string[];
  conversion: Conversion;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * How CSV header names map to create-task fields: a column is named after the body field it
 * fills (`attachment`, `text`, `project`, `unique_id`, `instruction`…); dots nest (`metadata.source`
 * fills `metadata.source`); a suffix says how the cell is read: `:json` (`geometries:json`,
 * `categories:json`, `hypothesis:json`), `:number`, `:boolean` (true/false), `:list` (`tags:list`,
 * items separated by `|`); without one the cell is text. Empty cells are left out, so optional
 * fields may stay blank.
 */
export function parseTaskColumns(
  header: readonly string[],
  location: { file?: string; line?: number } = {},
): Column[] {
  const columns = header.map((name) => {
    const [field = '', suffix, extra] = name.split(':');
    const fail = (message: string) =>
      new FormatError(`column ${JSON.stringify(name)}: ${message}`, location);
    if (extra !== undefined) throw fail('has more than one ":"');
    const conversion = (suffix ?? 'text') as Conversion;
    if (!['text', 'json', 'number', 'boolean', 'list'].includes(conversion))
      throw fail(`unknown type ":${suffix}" (json, number, boolean, list)`);
    const path = field.split('.');
    if (path.some((part) => part === '')) throw fail('has an empty field name');
    if (path.some((part) => FORBIDDEN_KEYS.has(part)))
      throw fail('names a field that is not allowed');
    return { name, path, conversion };
  });
  // Two columns for one field, or one for a field and another inside it, would overwrite each other.
  for (const [index, column] of columns.entries()) {
    const field = column.path.join('.');
    for (const other of columns.slice(index + 1)) {
      const otherField = other.path.join('.');
      if (
        field === otherField ||
        otherField.startsWith(`${field}.`) ||
        field.startsWith(`${otherField}.`)
      )
        throw new FormatError(
          `columns ${JSON.stringify(column.name)} and ${JSON.stringify(other.name)} fill the same field`,
          location,
        );
    }
  }
  return columns;
}

function convert(cell: string, column: Column, fail: (message: string) => FormatError): unknown {
  switch (column.conversion) {
    case 'text':
      return cell;
    case 'json':
      try {
        return JSON.parse(cell, (key, value: unknown) => {
          if (key === '__proto__') throw new SyntaxError('a "__proto__" key is not accepted');
          return value;
        });
      } catch (error) {
        throw fail(`is not valid JSON (${(error as Error).message})`);
      }
    case 'number': {
      const value = Number(cell);
      if (cell.trim() === '' || !Number.isFinite(value))
        throw fail(`${JSON.stringify(cell)} is not a number`);
      return value;
    }
    case 'boolean':
      if (/^true$/i.test(cell.trim())) return true;
      if (/^false$/i.test(cell.trim())) return false;
      throw fail(`${JSON.stringify(cell)} is not true or false`);
    case 'list':
      return cell
        .split('|')
        .map((item) => item.trim())
        .filter((item) => item !== '');
  }
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next === 'object' && next !== null && !Array.isArray(next))
      node = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  }
  node[path[path.length - 1]!] = value;
}

function deepCopy(value: unknown): unknown {
  return structuredClone(value);
}

/** Validates a body the way `POST /v1/task/{type}` would, naming the row's line on failure. */
function checkBody(
  body: Record<string, unknown>,
  options: TaskRowOptions,
  location: { file?: string; line: number },
) {
  if (options.validate === false) return;
  try {
    parseCreateTaskBody(options.type, body);
  } catch (error) {
    throw inFile(error, location);
  }
}

/** One CSV row (by column) as a create-task body. */
export function taskBodyFromCells(
  columns: readonly Column[],
  values: Readonly<Record<string, string>>,
  options: TaskRowOptions,
  location: { file?: string; line: number },
): Record<string, unknown> {
  const body = (options.defaults ? deepCopy(options.defaults) : {}) as Record<string, unknown>;
  for (const column of columns) {
    const cell = values[column.name] ?? '';
    if (cell === '') continue;
    const fail = (message: string) =>
      new FormatError(
        `column ${JSON.stringify(column.name)} ${message}`,
        location,
        column.path.join('.'),
      );
    setPath(body, column.path, convert(cell, column, fail));
  }
  checkBody(body, options, location);
  return body;
}

/** Create-task bodies from a CSV with a header line, one per row (see `parseTaskColumns`). */
export function* csvTaskRows(
  source: TextSource,
  options: TaskRowOptions & CsvOptions,
): Generator<TaskRow> {
  let header: string[] | undefined;
  let columns: Column[] = [];
  for (const record of readCsvRecords(source, options)) {
    if (!header) {
      header = checkCsvHeader(record, options.file);
      columns = parseTaskColumns(header, { file: options.file, line: record.line });
      continue;
    }
    const row = rowOf(header, record, options.file);
    yield {
      line: row.line,
      body: taskBodyFromCells(columns, row.values, options, { file: options.file, line: row.line }),
    };
  }
}

/**
 * Create-task bodies from JSON Lines: each line is a body as `POST /v1/task/{type}` takes it,
 * laid over `defaults`. With `skipBadLines`, lines that are not JSON are reported, not fatal.
 */
export function* jsonlTaskRows(
  source: TextSource,
  options: TaskRowOptions & JsonLinesOptions,
): Generator<TaskRow> {
  for (const { line, value } of readJsonLines(source, options)) {
    const location = { file: options.file, line };
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new FormatError('must be a JSON object (a create-task body)', location);
    const body = {
      ...(options.defaults ? (deepCopy(options.defaults) as Record<string, unknown>) : {}),
      ...value,
    };
    checkBody(body, options, location);
    yield { line, body };
  }
}
