import { sql, StandardSQL } from '@codemirror/lang-sql';
import { autocompletion, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { syntaxHighlighting, defaultHighlightStyle } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, placeholder } from '@codemirror/view';
import { useEffect, useRef } from 'react';

/** Top-level CloudTrail Lake columns offered by completion (the event record's fields). */
export const LAKE_COLUMNS = [
  'eventVersion',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'userIdentity',
  'requestParameters',
  'responseElements',
  'errorCode',
  'errorMessage',
  'requestID',
  'eventID',
  'readOnly',
  'resources',
  'eventType',
  'managementEvent',
  'recipientAccountId',
  'eventCategory',
  'tlsDetails',
  'additionalEventData',
];

/** A CodeMirror SQL editor completing store ids (as tables) and their columns; Ctrl/Cmd+Enter runs. */
export function SqlEditor({
  value,
  onChange,
  storeIds,
  onRun,
  label,
}: {
  value: string;
  onChange(v: string): void;
  storeIds: string[];
  onRun(): void;
  label: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef({ onChange, onRun });
  latest.current = { onChange, onRun };

  useEffect(() => {
    const schema = Object.fromEntries(storeIds.map((id) => [id, LAKE_COLUMNS]));
    const state = EditorState.create({
      doc: value,
      extensions: [
        lineNumbers(),
        history(),
        sql({ dialect: StandardSQL, schema, upperCaseKeywords: true }),
        syntaxHighlighting(defaultHighlightStyle),
        autocompletion(),
        placeholder('SELECT eventName, count(*) FROM <event data store id> GROUP BY eventName'),
        // Every edit goes through CodeMirror's commands (the browser's own contenteditable editing
        // writes style attributes the CSP refuses). Tab is left to the browser: focus never traps.
        keymap.of([
          { key: 'Mod-Enter', run: () => (latest.current.onRun(), true) },
          ...completionKeymap,
          ...defaultKeymap,
          ...historyKeymap,
        ]),
        // Long statements wrap instead of scrolling sideways: a scrolling region the keyboard
        // cannot focus is an accessibility failure (axe: scrollable-region-focusable).
        EditorView.lineWrapping,
        EditorView.updateListener.of((u) => {
          if (u.docChanged) latest.current.onChange(u.state.doc.toString());
        }),
        // IDREFs do not cross the shadow boundary: the label is carried as text.
        EditorView.contentAttributes.of({ 'aria-label': label, 'aria-multiline': 'true', 'data-testid': 'sql-editor' }),
        EditorView.theme({
          '&': { minHeight: '8rem', fontSize: '0.9rem' },
          '&.cm-focused': { outline: '3px solid #f0a500' },
          '.cm-scroller': { fontFamily: 'ui-monospace, monospace' },
        }),
      ],
    });
    // CodeMirror styles a document with a <style> element, which the CSP (style-src 'self')
    // refuses; in a shadow root it uses a constructed stylesheet, which the CSP allows.
    const shadow = host.current!.shadowRoot ?? host.current!.attachShadow({ mode: 'open' });
    view.current = new EditorView({ state, parent: shadow, root: shadow });
    return () => view.current?.destroy();
    // The store list rebuilds the editor (completion schema); text changes flow out via onChange.
  }, [storeIds.join(',')]);

  // A sample query chosen outside replaces the text.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  return <div className="sql-editor" ref={host} />;
}
