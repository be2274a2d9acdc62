/** React (.tsx) components and hooks for the front-end packages. */
import { code, FileBuilder, fill } from '../lib/code.mjs';

function componentTemplates(fb, rng, e) {
  const N = e.Name;
  const u = (n) => fb.uniq(n);
  const label = (s) => s.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());
  const cols = e.fields.slice(0, rng.int(2, 4));
  return [
    () => {
      const C = u(`${N}Table`);
      return code`
        export interface ${C}Props {
          items: readonly ${N}[];
          loading?: boolean;
          onSelect?: (item: ${N}) => void;
        }

        const ${C.toUpperCase()}_COLUMNS = ['status', ${cols.map((f) => `'${f.name}'`).join(', ')}] as const;

        export function ${C}({ items, loading = false, onSelect }: ${C}Props) {
          const [sortKey, setSortKey] = useState<(typeof ${C.toUpperCase()}_COLUMNS)[number]>('status');
          const [descending, setDescending] = useState(false);
          const sorted = useMemo(() => {
            const copy = [...items];
            copy.sort((a, b) => String(a[sortKey] ?? '').localeCompare(String(b[sortKey] ?? '')));
            return descending ? copy.reverse() : copy;
          }, [items, sortKey, descending]);

          if (loading) {
            return <p className="muted">Loading ${e.plural}…</p>;
          }
          if (sorted.length === 0) {
            return <EmptyState title="No ${e.plural} yet" />;
          }
          return (
            <table className="data-table">
              <thead>
                <tr>
                  {${C.toUpperCase()}_COLUMNS.map((column) => (
                    <th
                      key={column}
                      aria-sort={column === sortKey ? (descending ? 'descending' : 'ascending') : 'none'}
                      onClick={() => (column === sortKey ? setDescending((d) => !d) : setSortKey(column))}
                    >
                      {column}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {sorted.map((item) => (
                  <tr key={item.id} onClick={() => onSelect?.(item)} className={onSelect ? 'clickable' : undefined}>
                    <td>
                      <StatusBadge status={item.status} />
                    </td>
                    ${cols.map((f) => `<td>{String(item.${f.name} ?? '—')}</td>`).join('\n')}
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }`;
    },
    () => {
      const C = u(`${N}Form`);
      const editable = e.fields.filter((f) => f.type === 'string' || f.type === 'number').slice(0, 4);
      return code`
        type ${C}State = {
          ${editable.map((f) => `${f.name}: string;`).join('\n')}
        };

        export function ${C}({ initial, onSubmit }: { initial?: Partial<${N}>; onSubmit: (value: ${C}State) => Promise<void> }) {
          const [value, setValue] = useState<${C}State>({
            ${editable.map((f) => `${f.name}: String(initial?.${f.name} ?? ''),`).join('\n')}
          });
          const [error, setError] = useState<string | null>(null);
          const [submitting, setSubmitting] = useState(false);

          const update = useCallback(
            (key: keyof ${C}State) => (event: ChangeEvent<HTMLInputElement>) =>
              setValue((current) => ({ ...current, [key]: event.target.value })),
            [],
          );

          async function handleSubmit(event: FormEvent<HTMLFormElement>) {
            event.preventDefault();
            setSubmitting(true);
            setError(null);
            try {
              await onSubmit(value);
            } catch (err) {
              setError(err instanceof Error ? err.message : 'Something went wrong');
            } finally {
              setSubmitting(false);
            }
          }

          return (
            <form onSubmit={handleSubmit} className="stack">
              ${editable
                .map(
                  (f) => `<label>
  ${label(f.name)}
  <input name="${f.name}" value={value.${f.name}} onChange={update('${f.name}')} ${f.type === 'number' ? 'type="number" ' : ''}/>
</label>`,
                )
                .join('\n')}
              {error ? <p role="alert">{error}</p> : null}
              <button type="submit" disabled={submitting}>
                {submitting ? 'Saving…' : 'Save ${e.name}'}
              </button>
            </form>
          );
        }`;
    },
    () => {
      const H = u('useFetch');
      return code`
        export function ${H}<T>(url: string | null, init?: RequestInit): { data: T | undefined; error: Error | undefined; loading: boolean; reload: () => void } {
          const [data, setData] = useState<T>();
          const [error, setError] = useState<Error>();
          const [loading, setLoading] = useState(false);
          const [nonce, setNonce] = useState(0);

          useEffect(() => {
            if (!url) return;
            const controller = new AbortController();
            setLoading(true);
            fetch(url, { ...init, signal: controller.signal })
              .then(async (response) => {
                if (!response.ok) throw new Error(\`\${response.status} \${response.statusText}\`);
                setData((await response.json()) as T);
                setError(undefined);
              })
              .catch((err: unknown) => {
                if (!controller.signal.aborted) setError(err instanceof Error ? err : new Error(String(err)));
              })
              .finally(() => setLoading(false));
            return () => controller.abort();
          }, [url, nonce]);

          return { data, error, loading, reload: () => setNonce((n) => n + 1) };
        }`;
    },
    () => {
      const C = u('StatusBadge');
      return code`
        const ${C.toUpperCase()}_TONES: Record<string, 'neutral' | 'good' | 'warn' | 'bad'> = {
          ${e.statuses.map((s, i) => `${s}: '${['neutral', 'good', 'warn', 'bad'][i % 4]}',`).join('\n')}
        };

        export function ${C}({ status }: { status: string }) {
          const tone = ${C.toUpperCase()}_TONES[status] ?? 'neutral';
          return <span className={\`badge badge--\${tone}\`}>{status}</span>;
        }`;
    },
    () => {
      const C = u('Pagination');
      return code`
        export function ${C}({ page, pageCount, onChange }: { page: number; pageCount: number; onChange: (page: number) => void }) {
          const pages = useMemo(() => {
            const start = Math.max(1, page - 2);
            const end = Math.min(pageCount, start + 4);
            return Array.from({ length: end - start + 1 }, (_, i) => start + i);
          }, [page, pageCount]);
          return (
            <nav aria-label="pagination" className="pagination">
              <button type="button" disabled={page <= 1} onClick={() => onChange(page - 1)}>
                Previous
              </button>
              {pages.map((p) => (
                <button key={p} type="button" aria-current={p === page ? 'page' : undefined} onClick={() => onChange(p)}>
                  {p}
                </button>
              ))}
              <button type="button" disabled={page >= pageCount} onClick={() => onChange(page + 1)}>
                Next
              </button>
            </nav>
          );
        }`;
    },
    () => {
      const C = u(`${N}FilterBar`);
      return code`
        export function ${C}({ onChange, delayMs = ${rng.pick([200, 300, 400])} }: { onChange: (filter: { q: string; status?: string }) => void; delayMs?: number }) {
          const [q, setQ] = useState('');
          const [status, setStatus] = useState<string>();
          const first = useRef(true);

          useEffect(() => {
            if (first.current) {
              first.current = false;
              return;
            }
            const timer = setTimeout(() => onChange({ q, status }), delayMs);
            return () => clearTimeout(timer);
          }, [q, status, delayMs, onChange]);

          return (
            <div className="filter-bar">
              <input type="search" placeholder="Search ${e.plural}" value={q} onChange={(event) => setQ(event.target.value)} />
              <select value={status ?? ''} onChange={(event) => setStatus(event.target.value || undefined)}>
                <option value="">Any status</option>
                ${e.statuses.map((s) => `<option value="${s}">${s}</option>`).join('\n')}
              </select>
            </div>
          );
        }`;
    },
    () => {
      const C = u(`${N}Provider`);
      const ctx = u(`${N}Context`);
      const reducer = u(`${e.name}Reducer`);
      const hook = u(`use${N}Store`);
      return code`
        type ${C}Action =
          | { type: 'loaded'; items: ${N}[] }
          | { type: 'upserted'; item: ${N} }
          | { type: 'removed'; id: string };

        interface ${C}State {
          byId: Record<string, ${N}>;
          order: string[];
        }

        function ${reducer}(state: ${C}State, action: ${C}Action): ${C}State {
          switch (action.type) {
            case 'loaded':
              return {
                byId: Object.fromEntries(action.items.map((item) => [item.id, item])),
                order: action.items.map((item) => item.id),
              };
            case 'upserted':
              return {
                byId: { ...state.byId, [action.item.id]: action.item },
                order: state.order.includes(action.item.id) ? state.order : [action.item.id, ...state.order],
              };
            case 'removed': {
              const { [action.id]: _removed, ...rest } = state.byId;
              return { byId: rest, order: state.order.filter((id) => id !== action.id) };
            }
          }
        }

        const ${ctx} = createContext<{ state: ${C}State; dispatch: Dispatch<${C}Action> } | null>(null);

        export function ${C}({ children }: { children: ReactNode }) {
          const [state, dispatch] = useReducer(${reducer}, { byId: {}, order: [] });
          const value = useMemo(() => ({ state, dispatch }), [state]);
          return <${ctx}.Provider value={value}>{children}</${ctx}.Provider>;
        }

        export function ${hook}() {
          const value = useContext(${ctx});
          if (!value) throw new Error('${hook} must be used inside <${C}>');
          return value;
        }`;
    },
    () => {
      const C = u(`${N}Details`);
      return code`
        export function ${C}({ item, onClose }: { item: ${N}; onClose: () => void }) {
          return (
            <aside className="panel" aria-labelledby="${e.kebab}-details-title">
              <header className="panel__header">
                <h2 id="${e.kebab}-details-title">${label(e.name)} {item.id.slice(0, 8)}</h2>
                <button type="button" onClick={onClose} aria-label="Close">
                  ×
                </button>
              </header>
              <dl className="grid">
                ${e.fields.map((f) => `<dt>${label(f.name)}</dt>\n<dd>{String(item.${f.name} ?? '—')}</dd>`).join('\n')}
                <dt>Updated</dt>
                <dd>
                  <time dateTime={item.updatedAt.toISOString()}>{item.updatedAt.toLocaleString()}</time>
                </dd>
              </dl>
            </aside>
          );
        }`;
    },
  ];
}

export function reactFile(rng, _pkg, entities, target, maxLines = undefined) {
  const fb = new FileBuilder(maxLines);
  fb.add(
    "import { createContext, useCallback, useContext, useEffect, useMemo, useReducer, useRef, useState, type ChangeEvent, type Dispatch, type FormEvent, type ReactNode } from 'react';",
  );
  for (const e of entities) fb.add(`import type { ${e.Name} } from '../types/${e.kebab}.js';`);
  fb.add("import { EmptyState } from './EmptyState.js';");
  fb.add('');
  let pool = [];
  let i = 0;
  fill(fb, target, 0, () => {
    if (pool.length === 0) pool = rng.shuffle(componentTemplates(fb, rng, entities[i++ % entities.length]));
    return pool.shift()();
  });
  return fb.toString();
}
