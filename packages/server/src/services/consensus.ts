/**
 * From annotators' answers to a task's response: pure functions over task params and answer
 * responses (no I/O), shared by answer submission, re-aggregation and the quality report.
 *
 * Categorization is inferred with the chosen truth-inference method over all the given tasks at
 * once (so Dawid-Skene and friends learn each annotator's reliability across the project): one
 * question per distinct category list (and per taxonomy question), single-label questions with
 * the categorical methods, multi-label ones by binary relevance. Image boxes and polygons are
 * fused, named entities by span consensus, text collection field by field (text
 * by ROVER). Everything else takes the medoid answer: the response most annotators
 * gave identically (ties: the earliest given).
 */
import { leafLabels, type LabelEntry } from '@quorum/core';
import {
  AnswerSetBuilder,
  fuseBoxes,
  inferMultiLabel,
  isSimplePolygon,
  polygonIoU,
  shapeConsensus,
  spanConsensus,
  inferTruth,
  roverTranscript,
  scoreAgainstGold,
  type CornerBox,
  type LabeledSpan,
  type MultiLabelAnswer,
  type TruthMethod,
} from '@quorum/quality';

export interface AnswerInput {
  worker: string;
  response: Record<string, unknown>;
}

export interface TaskAnswers {
  taskId: string;
  type: string;
  params: Record<string, unknown>;
  answers: readonly AnswerInput[];
}

/** The consensus of one task. */
export interface TaskConsensus {
  response: Record<string, unknown>;
  /** Probability that the response is right, under the method's model. */
  confidence: number;
  method: TruthMethod | 'medoid' | 'shape-fusion' | 'span-consensus' | 'field-consensus';
  answers: number;
}

/** One single-label question's view of an answer, for the quality report. */
export interface QuestionLabel {
  question: string;
  taskId: string;
  worker: string;
  label: string;
}

export interface Aggregation {
  tasks: Map<string, TaskConsensus>;
  /** Per worker, their mean reliability over the questions they answered (method's model). */
  reliability: Map<string, number>;
  /** Single-label answers by question, with the consensus label of each task and question. */
  labels: QuestionLabel[];
  consensusLabels: Map<string, string>;
}

/** A single- or multi-label categorical question shared by tasks. */
interface Question {
  key: string;
  classes: string[];
  multiple: boolean;
  /** Reads an answer's labels for this question (undefined: the answer skipped it). */
  read(response: Record<string, unknown>): string[] | undefined;
  /** Writes the consensus labels of this question into a response. */
  write(response: Record<string, unknown>, labels: string[]): void;
}

function asStringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

/** The categorical questions of a categorization task. */
function questionsOf(params: Record<string, unknown>): Question[] {
  const questions: Question[] = [];
  const categories = asStringList(params.categories);
  if (categories) {
    const multiple = params.allow_multiple === true;
    questions.push({
      key: JSON.stringify(['category', multiple, categories]),
      classes: categories,
      multiple,
      read: (response) => asStringList(response.category),
      write: (response, labels) => {
        response.category = multiple ? labels : labels[0]!;
      },
    });
  }
  const taxonomies = params.taxonomies;
  if (taxonomies && typeof taxonomies === 'object') {
    for (const [name, raw] of Object.entries(taxonomies as Record<string, unknown>)) {
      const taxonomy = raw as { choices?: LabelEntry[]; allow_multiple?: boolean };
      const classes = leafLabels(taxonomy.choices ?? []);
      const multiple = taxonomy.allow_multiple === true;
      questions.push({
        key: JSON.stringify(['taxonomy', name, multiple, classes]),
        classes,
        multiple,
        read: (response) => {
          const answers = response.taxonomies as Record<string, unknown> | undefined;
          return answers ? asStringList(answers[name]) : undefined;
        },
        write: (response, labels) => {
          const answers = (response.taxonomies ??= {}) as Record<string, string[]>;
          answers[name] = labels;
        },
      });
    }
  }
  return questions;
}

interface QuestionGroup {
  question: Question;
  /** Per task of the group: its answers' labels. */
  tasks: Array<{ taskId: string; answers: Array<{ worker: string; labels: string[] }> }>;
}

/** The consensus of every task; categorization tasks share one model per question. */
export function aggregateTasks(tasks: readonly TaskAnswers[], method: TruthMethod): Aggregation {
  const result: Aggregation = {
    tasks: new Map(),
    reliability: new Map(),
    labels: [],
    consensusLabels: new Map(),
  };
  const groups = new Map<string, QuestionGroup>();
  const partial = new Map<string, { response: Record<string, unknown>; confidence: number }>();
  const reliabilitySum = new Map<string, { sum: number; count: number }>();
  const addReliability = (worker: string, value: number) => {
    const entry = reliabilitySum.get(worker) ?? { sum: 0, count: 0 };
    entry.sum += value;
    entry.count++;
    reliabilitySum.set(worker, entry);
  };

  for (const task of tasks) {
    if (task.answers.length === 0) continue;
    if (task.type !== 'categorization') {
      const consensus =
        task.type === 'namedentityrecognition'
          ? entitySpans(task.params, task.answers)
          : task.type === 'textcollection'
            ? fieldByField(task.answers)
            : fusedShapes(task.answers);
      result.tasks.set(task.taskId, consensus ?? medoid(task.answers));
      continue;
    }
    partial.set(task.taskId, { response: {}, confidence: 1 });
    for (const question of questionsOf(task.params)) {
      let group = groups.get(question.key);
      if (!group) groups.set(question.key, (group = { question, tasks: [] }));
      const answers = task.answers.flatMap(({ worker, response }) => {
        const labels = question.read(response);
        return labels ? [{ worker, labels }] : [];
      });
      if (answers.length > 0) group.tasks.push({ taskId: task.taskId, answers });
    }
  }

  for (const { question, tasks: groupTasks } of groups.values()) {
    if (question.multiple) {
      const answers: MultiLabelAnswer[] = groupTasks.flatMap(({ taskId, answers }) =>
        answers.map(({ worker, labels }) => ({ item: taskId, worker, labels })),
      );
      const estimate = inferMultiLabel(answers, method, { classes: question.classes });
      for (const item of estimate.items) {
        const entry = partial.get(item.item)!;
        question.write(entry.response, item.labels);
        for (const label of estimate.classes) {
          const p = item.probability[label]!;
          entry.confidence *= Math.max(p, 1 - p);
        }
      }
      for (const [worker, value] of estimate.reliability) addReliability(worker, value);
      continue;
    }
    const builder = new AnswerSetBuilder({ labels: question.classes });
    for (const { taskId, answers } of groupTasks) {
      for (const { worker, labels } of answers) {
        builder.add(taskId, worker, labels[0]!);
        result.labels.push({ question: question.key, taskId, worker, label: labels[0]! });
      }
    }
    const estimate = inferTruth(builder.build(), method);
    estimate.items.forEach((taskId, i) => {
      const k = estimate.label[i]!;
      if (k < 0) return;
      const entry = partial.get(taskId)!;
      question.write(entry.response, [estimate.labels[k]!]);
      entry.confidence *= estimate.confidence[i]!;
      result.consensusLabels.set(`${question.key}\u0000${taskId}`, estimate.labels[k]!);
    });
    estimate.workers.forEach((worker, w) => addReliability(worker, estimate.reliability[w]!));
  }

  for (const task of tasks) {
    const entry = partial.get(task.taskId);
    if (!entry) continue;
    result.tasks.set(task.taskId, {
      response: entry.response,
      confidence: entry.confidence,
      method,
      answers: task.answers.length,
    });
  }
  for (const [worker, { sum, count }] of reliabilitySum)
    result.reliability.set(worker, count > 0 ? sum / count : 0);
  return result;
}

interface BoxAnswer {
  type: 'box';
  label: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

interface PolygonAnswer {
  type: 'polygon';
  label: string;
  vertices: Array<{ x: number; y: number }>;
}

/**
 * Image annotations made of boxes and polygons: boxes by weighted box fusion (same-label boxes
 * grouped at IoU 0.5, corners averaged, objects kept by best agreement with the annotators),
 * polygons label by label by the same consensus with polygon IoU, each object's polygon being the
 * member most like the others. Confidence is the mean support of the kept objects (1 when
 * everyone agreed there was nothing). Undefined for other shapes or polygons that are not simple
 * (they take the medoid).
 */
function fusedShapes(answers: readonly AnswerInput[]): TaskConsensus | undefined {
  const lists = answers.map(({ response }) =>
    Array.isArray(response.annotations)
      ? (response.annotations as Array<BoxAnswer | PolygonAnswer>)
      : undefined,
  );
  if (lists.some((list) => !list || list.some((a) => a.type !== 'box' && a.type !== 'polygon')))
    return undefined;
  const fused = fuseBoxes(
    answers.map(({ worker }, index) => ({
      annotator: worker,
      boxes: lists[index]!.flatMap((a) =>
        a.type === 'box'
          ? [{ x1: a.left, y1: a.top, x2: a.left + a.width, y2: a.top + a.height, label: a.label }]
          : [],
      ),
    })),
  );
  const annotations: Array<Record<string, unknown>> = fused.map(({ box }) => ({
    type: 'box',
    label: box.label!,
    left: box.x1,
    top: box.y1,
    width: box.x2 - box.x1,
    height: box.y2 - box.y1,
  }));
  const confidences = fused.map((object) => object.confidence);
  const polygons = lists.flatMap((list) =>
    list!.filter((a): a is PolygonAnswer => a.type === 'polygon'),
  );
  for (const label of [...new Set(polygons.map((p) => p.label))].sort()) {
    const drawn = answers.map(({ worker }, index) => ({
      annotator: worker,
      shapes: lists[index]!.filter(
        (a): a is PolygonAnswer => a.type === 'polygon' && a.label === label,
      ).map((a) => a.vertices),
    }));
    if (drawn.some(({ shapes }) => shapes.some((shape) => !isSimplePolygon(shape))))
      return undefined;
    for (const object of shapeConsensus(drawn, polygonIoU, {
      compare: (a, b) =>
        canonicalJson(a) < canonicalJson(b) ? -1 : canonicalJson(a) > canonicalJson(b) ? 1 : 0,
    })) {
      annotations.push({ type: 'polygon', label, vertices: object.shape });
      confidences.push(object.confidence);
    }
  }
  const confidence =
    confidences.length > 0 ? confidences.reduce((sum, c) => sum + c, 0) / confidences.length : 1;
  return { response: { annotations }, confidence, method: 'shape-fusion', answers: answers.length };
}

/**
 * Named entities by character-level span consensus: a character belongs to an entity of a label
 * when more than half the annotators marked it so; confidence is the mean confidence of the
 * consensus spans (1 when everyone agreed there was none). Relationships are not aggregated.
 */
function entitySpans(
  params: Record<string, unknown>,
  answers: readonly AnswerInput[],
): TaskConsensus | undefined {
  if (typeof params.text !== 'string') return undefined;
  const characters = Array.from(params.text);
  const spans = spanConsensus(
    answers.map(({ worker, response }) => ({
      annotator: worker,
      spans: spansOf(response),
    })),
    characters.length,
  );
  const annotations = spans.map(({ start, end, label }) => ({
    start,
    end,
    label,
    text: characters.slice(start, end).join(''),
  }));
  const confidence =
    spans.length > 0 ? spans.reduce((sum, span) => sum + span.confidence, 0) / spans.length : 1;
  return {
    response: { annotations, relationships: [] },
    confidence,
    method: 'span-consensus',
    answers: answers.length,
  };
}

/**
 * Text collection, field by field: a field is answered when most annotators answered it; plain
 * text answers are combined by ROVER (word by word, so each word is the majority's), any other
 * answer is the one given identically by most. Confidence is the mean over fields of the share
 * behind each (for text, the mean word confidence).
 */
function fieldByField(answers: readonly AnswerInput[]): TaskConsensus | undefined {
  const maps = answers.map(({ response }) => response.annotations);
  if (!maps.every((m) => m && typeof m === 'object' && !Array.isArray(m))) return undefined;
  const fields = [...new Set(maps.flatMap((m) => Object.keys(m as object)))].sort();
  const annotations: Record<string, unknown> = {};
  const confidences: number[] = [];
  for (const field of fields) {
    const given = answers.flatMap(({ worker, response }) => {
      const value = (response.annotations as Record<string, unknown>)[field];
      return value === undefined ? [] : [{ worker, value }];
    });
    // Answered by most annotators, or left out.
    if (given.length * 2 <= answers.length) {
      confidences.push(1 - given.length / answers.length);
      continue;
    }
    if (given.every(({ value }) => typeof value === 'string')) {
      const rover = roverTranscript(
        given.map(({ worker, value }) => ({ annotator: worker, text: value as string })),
      );
      annotations[field] = rover.text;
      confidences.push(
        rover.words.length > 0
          ? rover.words.reduce((sum, w) => sum + w.confidence, 0) / rover.words.length
          : 1,
      );
      continue;
    }
    const plurality = medoid(given.map(({ worker, value }) => ({ worker, response: { value } })));
    annotations[field] = plurality.response.value;
    confidences.push((plurality.confidence * given.length) / answers.length);
  }
  const confidence =
    confidences.length > 0 ? confidences.reduce((a, b) => a + b, 0) / confidences.length : 1;
  return {
    response: { annotations },
    confidence,
    method: 'field-consensus',
    answers: answers.length,
  };
}

/** The response given identically by most annotators (ties: the earliest); share as confidence. */
function medoid(answers: readonly AnswerInput[]): TaskConsensus {
  const counts = new Map<string, { count: number; response: Record<string, unknown> }>();
  for (const { response } of answers) {
    const key = canonicalJson(response);
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { count: 1, response });
  }
  let best: { count: number; response: Record<string, unknown> } | undefined;
  for (const entry of counts.values()) if (!best || entry.count > best.count) best = entry;
  return {
    response: best!.response,
    confidence: best!.count / answers.length,
    method: 'medoid',
    answers: answers.length,
  };
}

/** JSON with object keys sorted, so equal responses compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The mean of the scores, or undefined when there are none. */
function mean(scores: readonly number[]): number | undefined {
  return scores.length > 0 ? scores.reduce((a, b) => a + b, 0) / scores.length : undefined;
}

function boxesOf(response: Record<string, unknown>): CornerBox[] {
  const annotations = Array.isArray(response.annotations) ? response.annotations : [];
  return annotations.flatMap((raw) => {
    const a = raw as {
      type?: string;
      left: number;
      top: number;
      width: number;
      height: number;
      label?: string;
    };
    if (a.type !== 'box') return [];
    return [
      {
        x1: a.left,
        y1: a.top,
        x2: a.left + a.width,
        y2: a.top + a.height,
        ...(a.label ? { label: a.label } : {}),
      },
    ];
  });
}

function spansOf(response: Record<string, unknown>): LabeledSpan[] {
  const annotations = Array.isArray(response.annotations) ? response.annotations : [];
  return annotations.map((raw) => {
    const a = raw as { start: number; end: number; label: string };
    return { start: a.start, end: a.end, label: a.label };
  });
}

/** Field-by-field score of two `{field: answer}` maps: text by 1 - WER, anything else exact. */
function fieldScores(answer: unknown, expected: unknown): number[] {
  const given = (answer ?? {}) as Record<string, unknown>;
  return Object.entries((expected ?? {}) as Record<string, unknown>).map(([field, gold]) => {
    const value = given[field];
    if (typeof gold === 'string' && typeof value === 'string')
      return scoreAgainstGold('transcript', value, gold);
    return canonicalJson(value) === canonicalJson(gold) ? 1 : 0;
  });
}

/**
 * Scores an answer against a task's expected response in [0, 1], the way the quality library
 * scores gold per kind: categorization by exact label (Jaccard for several categories; the mean
 * over taxonomy questions), image boxes by F1 at IoU ≥ 0.5 with labels, entity spans by exact-span
 * F1, text fields by 1 - word error rate, comparison choices exactly. Other shapes (polygons,
 * points, lines) score 1 only when identical.
 */
export function scoreAgainstExpected(
  type: string,
  params: Record<string, unknown>,
  response: Record<string, unknown>,
  expected: Record<string, unknown>,
): number {
  const identical = () => (canonicalJson(response) === canonicalJson(expected) ? 1 : 0);
  switch (type) {
    case 'categorization': {
      const scores = questionsOf(params).flatMap((question) => {
        const gold = question.read(expected);
        if (!gold) return [];
        const given = question.read(response) ?? [];
        return [
          question.multiple
            ? scoreAgainstGold('multi_label', given, gold)
            : scoreAgainstGold('label', given[0] ?? '', gold[0]!),
        ];
      });
      return mean(scores) ?? identical();
    }
    case 'imageannotation': {
      const gold = boxesOf(expected);
      const given = boxesOf(response);
      const others = (r: Record<string, unknown>) =>
        (Array.isArray(r.annotations) ? r.annotations : []).some(
          (a) => (a as { type?: string }).type !== 'box',
        );
      if (others(expected) || others(response) || gold.length + given.length === 0)
        return identical();
      return scoreAgainstGold('boxes', given, gold);
    }
    case 'namedentityrecognition':
      return scoreAgainstGold('spans', spansOf(response), spansOf(expected));
    case 'textcollection':
      return mean(fieldScores(response.annotations, expected.annotations)) ?? identical();
    case 'comparison': {
      if (expected.choice !== undefined) return response.choice === expected.choice ? 1 : 0;
      // A preference is right when it names the same winner (or both say tie); strength aside.
      if (expected.preference !== undefined)
        return (response.preference as { winner?: unknown } | undefined)?.winner ===
          (expected.preference as { winner?: unknown }).winner
          ? 1
          : 0;
      return mean(fieldScores(response.fields, expected.fields)) ?? identical();
    }
    default:
      return identical();
  }
}
