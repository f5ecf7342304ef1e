import { lazy, Suspense, useEffect, useState } from 'react';
import { CategorizationEditor } from './categorization';
import { ChatEditor } from './chat';
import { ComparisonEditor } from './comparison';
import { NerEditor } from './ner';
import { TextCollectionEditor } from './textcollection';
import type { EditorProps } from './types';

/** The image editor (with Konva) is loaded the first time an image task comes. */
const ImageEditor = lazy(() =>
  import('./image').then((module) => ({ default: module.ImageEditor })),
);

/** The editor for a task type; other types get a JSON form. */
export function TaskEditor(props: EditorProps) {
  switch (props.task.type) {
    case 'imageannotation':
      return (
        <Suspense fallback={<p role="status">Loading the image editor…</p>}>
          <ImageEditor {...props} />
        </Suspense>
      );
    case 'namedentityrecognition':
      return <NerEditor {...props} />;
    case 'categorization':
      return <CategorizationEditor {...props} />;
    case 'comparison':
      return <ComparisonEditor {...props} />;
    case 'textcollection':
      return <TextCollectionEditor {...props} />;
    case 'chat':
      return <ChatEditor {...props} />;
    default:
      return <JsonEditor {...props} />;
  }
}

/** A plain JSON answer, for task types without an editor of their own. */
function JsonEditor({ task, initial, onChange }: EditorProps) {
  const [text, setText] = useState(() => JSON.stringify(initial ?? {}, null, 2));
  const [problem, setProblem] = useState<string | undefined>();
  useEffect(() => {
    try {
      const value = JSON.parse(text) as unknown;
      if (!value || typeof value !== 'object' || Array.isArray(value))
        throw new Error('not an object');
      setProblem(undefined);
      onChange(value as Record<string, unknown>);
    } catch {
      setProblem('The response must be a JSON object');
    }
  }, [text]);
  return (
    <div className="editor json">
      <pre className="attachment-text">{JSON.stringify(task.params, null, 2)}</pre>
      <label className="field">
        Response (JSON)
        <textarea rows={12} value={text} onChange={(event) => setText(event.target.value)} />
      </label>
      {problem ? <p role="alert">{problem}</p> : null}
    </div>
  );
}
